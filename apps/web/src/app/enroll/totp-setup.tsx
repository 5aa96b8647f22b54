'use client';

import { CodeInput } from '@holdfast/ui';
import { isWellFormedTotpCode } from '@holdfast/validators';
import { useEffect, useRef, useState, type SubmitEvent } from 'react';
import { groupSecret, normalizeCode } from '../../lib/format';
import { beginTotp, confirmTotp, removeFactor } from './actions';
import { copyText } from './copy-text';
import { QrCode } from './qr-code';
import { PanelMessages, useSetupPanel } from './setup-panel';

type Step = { name: 'start' } | { name: 'scan'; factorId: string; secret: string; qrCodeSvg: string } | { name: 'done' };

export function TotpSetup({ onChanged }: { onChanged: () => Promise<void> }) {
  const [step, setStep] = useState<Step>({ name: 'start' });
  const [label, setLabel] = useState('');
  const [code, setCode] = useState('');
  const { error, setError, status, setStatus, isBusy, run } = useSetupPanel({ onChanged });
  const scanHeading = useRef<HTMLHeadingElement>(null);
  const codeInput = useRef<HTMLInputElement>(null);
  const doneMessage = useRef<HTMLParagraphElement>(null);

  // Move focus with the flow so keyboard and screen-reader users land on what just appeared.
  useEffect(() => {
    if (step.name === 'scan') scanHeading.current?.focus();
    if (step.name === 'done') doneMessage.current?.focus();
  }, [step.name]);

  async function start(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const trimmed = label.trim();
    const begun = await run(() => beginTotp(trimmed === '' ? {} : { label: trimmed }));
    if (begun === null) return;
    setCode('');
    setStep({ name: 'scan', ...begun });
    void onChanged();
  }

  async function confirm(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (step.name !== 'scan') return;
    const typed = normalizeCode(code);
    if (!isWellFormedTotpCode(typed)) {
      setError('Enter the 6-digit code your authenticator app shows, without letters.');
      codeInput.current?.focus();
      return;
    }
    const confirmed = await run(() => confirmTotp({ factorId: step.factorId, code: typed }));
    if (confirmed === null) {
      codeInput.current?.focus();
      return;
    }
    setStep({ name: 'done' });
    void onChanged();
  }

  /** Drops the unfinished factor, so the list does not keep a half-set-up app around. */
  async function cancel(factorId: string) {
    setStep({ name: 'start' });
    setError(null);
    const result = await removeFactor({ factorId });
    if (!result.ok) setError(result.message);
    await onChanged();
  }

  async function copySecret(secret: string) {
    setStatus((await copyText(secret)) ? 'Key copied.' : 'Copying is not available here: select the key and copy it yourself.');
  }

  const errorId = 'totp-error';
  return (
    <section className="card" aria-labelledby="totp-title">
      <h2 id="totp-title">Authenticator app</h2>
      <p>
        An app on your phone, such as Google Authenticator, Microsoft Authenticator, 1Password or Aegis, shows a new 6-digit code every 30 seconds. You type the
        current code when you sign in.
      </p>

      {step.name === 'start' && (
        <form onSubmit={(event) => void start(event)} className="stack">
          <div className="field">
            <label htmlFor="totp-label">
              Name for this app <span className="hint">(optional)</span>
            </label>
            <input
              id="totp-label"
              name="label"
              maxLength={64}
              placeholder="Authenticator app"
              value={label}
              onChange={(event) => {
                setLabel(event.target.value);
              }}
              aria-describedby={error === null ? undefined : errorId}
            />
          </div>
          <button type="submit" className="primary" disabled={isBusy}>
            {isBusy ? 'Setting up…' : 'Set up authenticator app'}
          </button>
        </form>
      )}

      {step.name === 'scan' && (
        <div className="stack">
          <h3 ref={scanHeading} tabIndex={-1}>
            1. Scan this QR code with the app
          </h3>
          <QrCode svg={step.qrCodeSvg} alt="QR code for adding this account to your authenticator app" />
          <p>Can&apos;t scan it? In the app, choose to enter a setup key and type this one:</p>
          <div className="secret-row">
            <code className="secret" data-testid="totp-secret" aria-label="Setup key">
              {groupSecret(step.secret)}
            </code>
            <button type="button" onClick={() => void copySecret(step.secret)}>
              Copy key
            </button>
          </div>
          <form onSubmit={(event) => void confirm(event)} className="stack">
            <h3>2. Enter the code the app shows</h3>
            <CodeInput
              ref={codeInput}
              kind="totp"
              id="totp-code"
              name="code"
              label="6-digit code"
              value={code}
              onChange={setCode}
              isInvalid={error !== null}
              describedBy={error === null ? undefined : errorId}
            />
            <div className="actions">
              <button type="submit" className="primary" disabled={isBusy}>
                {isBusy ? 'Checking…' : 'Confirm'}
              </button>
              <button type="button" onClick={() => void cancel(step.factorId)}>
                Cancel
              </button>
            </div>
          </form>
        </div>
      )}

      {step.name === 'done' && (
        <div className="stack">
          <p ref={doneMessage} tabIndex={-1} className="success">
            Your authenticator app is set up. From now on you will be asked for a code from it when you sign in.
          </p>
          <button
            type="button"
            onClick={() => {
              setStep({ name: 'start' });
              setLabel('');
            }}
          >
            Set up another app
          </button>
        </div>
      )}

      <PanelMessages errorId={errorId} error={error} status={status} />
    </section>
  );
}
