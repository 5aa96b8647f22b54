'use client';

import { useEffect, useRef, useState } from 'react';
import { recoveryCodesFile } from '../../lib/format';
import { generateRecoveryCodes } from './actions';
import { copyText } from './copy-text';
import { PanelMessages, useSetupPanel } from './setup-panel';

export function RecoveryCodes({ hasExistingCodes, onChanged }: { hasExistingCodes: boolean; onChanged: () => Promise<void> }) {
  const [codes, setCodes] = useState<string[] | null>(null);
  const { error, status, setStatus, isBusy, run } = useSetupPanel({ onChanged });
  const shownHeading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (codes !== null) shownHeading.current?.focus();
  }, [codes]);

  async function generate() {
    const generated = await run(generateRecoveryCodes, { clearsStatus: true });
    if (generated === null) return;
    setCodes(generated.codes);
    void onChanged();
  }

  async function copyAll(list: readonly string[]) {
    setStatus((await copyText(list.join('\n'))) ? 'Codes copied.' : 'Copying is not available here: select the codes and copy them yourself.');
  }

  function download(list: readonly string[]) {
    const blob = new Blob([recoveryCodesFile({ codes: list, generatedAt: new Date() })], { type: 'text/plain' });
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = 'holdfast-recovery-codes.txt';
    link.click();
    URL.revokeObjectURL(url);
    setStatus('Downloaded holdfast-recovery-codes.txt.');
  }

  return (
    <section className="card" aria-labelledby="recovery-title">
      <h2 id="recovery-title">Recovery codes</h2>
      <p>If you lose your phone, a recovery code lets you sign in instead. Each code works once.</p>

      {codes === null ? (
        <div className="stack">
          {hasExistingCodes && <p className="warning">You already have recovery codes. Generating new ones makes your current codes stop working.</p>}
          <button type="button" className="primary" disabled={isBusy} onClick={() => void generate()}>
            {isBusy ? 'Generating…' : hasExistingCodes ? 'Generate new recovery codes' : 'Generate recovery codes'}
          </button>
        </div>
      ) : (
        <div className="stack">
          <h3 ref={shownHeading} tabIndex={-1}>
            Your recovery codes
          </h3>
          <p className="warning">
            <strong>Save these codes now.</strong> They are shown only this once: we keep only a scrambled form of them and cannot show them again. Store them
            somewhere safe, away from your phone.
          </p>
          <ol className="codes" data-testid="recovery-codes" aria-label="Recovery codes">
            {codes.map((code) => (
              <li key={code}>
                <code>{code}</code>
              </li>
            ))}
          </ol>
          <div className="actions">
            <button type="button" onClick={() => void copyAll(codes)}>
              Copy codes
            </button>
            <button
              type="button"
              onClick={() => {
                download(codes);
              }}
            >
              Download .txt
            </button>
            <button
              type="button"
              className="primary"
              onClick={() => {
                setCodes(null);
                setStatus('Recovery codes hidden.');
              }}
            >
              I have saved them
            </button>
          </div>
        </div>
      )}

      <PanelMessages error={error} status={status} />
    </section>
  );
}
