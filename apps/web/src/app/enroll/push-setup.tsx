'use client';

import { useEffect, useRef, useState } from 'react';
import { describePairingLife, findNewPushDevice, pairingPollIntervalMs } from '../../lib/push-pairing';
import { beginPushPairing, listFactors } from './actions';
import { copyText } from './copy-text';
import { QrCode } from './qr-code';
import { PanelMessages, useSetupPanel } from './setup-panel';
import type { OwnFactor } from './types';

type Step =
  | { name: 'start' }
  | { name: 'pair'; pairingUrl: string; expiresAt: string; qrCodeSvg: string; life: string; knownIds: ReadonlySet<string> }
  | { name: 'expired' }
  | { name: 'done'; deviceName: string };

/**
 * "Add this phone for push": a one-time pairing link to the push app, as a QR code to scan and as a
 * link to open on the phone itself. While the panel is open (and the link lives) the factor list
 * is re-read every few seconds; when a push device that was not there before appears, it is named.
 * The device shows up in the factor list ("Phone for push approval"), renamed and removed there.
 */
export function PushSetup({ factors, onChanged }: { factors: readonly OwnFactor[]; onChanged: () => Promise<void> }) {
  const [step, setStep] = useState<Step>({ name: 'start' });
  const { error, status, setStatus, isBusy, run } = useSetupPanel({ onChanged });
  const pairHeading = useRef<HTMLHeadingElement>(null);
  const doneMessage = useRef<HTMLParagraphElement>(null);
  const expiredMessage = useRef<HTMLParagraphElement>(null);

  // Focus follows the flow so keyboard and screen-reader users land on what just appeared.
  useEffect(() => {
    if (step.name === 'pair') pairHeading.current?.focus();
    if (step.name === 'done') doneMessage.current?.focus();
    if (step.name === 'expired') expiredMessage.current?.focus();
  }, [step.name]);

  // Watch for the new device, bounded to the pairing link's life: after it nothing can pair.
  const watching = step.name === 'pair' ? step : null;
  useEffect(() => {
    if (watching === null) return;
    // An object, not a let: the flag changes while `tick` awaits (the cleanup also clears the timer).
    const run = { isStopped: false };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      const result = await listFactors();
      if (run.isStopped) return;
      const found = result.ok ? findNewPushDevice(result.value.factors, watching.knownIds) : null;
      if (found !== null) {
        setStep({ name: 'done', deviceName: found.label });
        void onChanged();
        return;
      }
      if (Date.now() >= Date.parse(watching.expiresAt)) {
        setStep({ name: 'expired' });
        return;
      }
      timer = setTimeout(() => void tick(), pairingPollIntervalMs);
    };
    timer = setTimeout(() => void tick(), pairingPollIntervalMs);
    return () => {
      run.isStopped = true;
      clearTimeout(timer);
    };
  }, [watching, onChanged]);

  async function start() {
    const pairing = await run(beginPushPairing, { clearsStatus: true });
    if (pairing === null) return;
    const knownIds = new Set(factors.filter((factor) => factor.kind === 'push').map((factor) => factor.id));
    setStep({ name: 'pair', ...pairing, life: describePairingLife({ expiresAt: pairing.expiresAt, now: Date.now() }), knownIds });
  }

  async function copyLink(url: string) {
    setStatus((await copyText(url)) ? 'Link copied.' : 'Copying is not available here: select the link and copy it yourself.');
  }

  const errorId = 'push-setup-error';
  return (
    <section className="card" aria-labelledby="push-setup-title">
      <h2 id="push-setup-title">Phone for push approval</h2>
      <p>
        When you sign in, your phone shows who is asking and from where; you approve by typing the number the sign-in screen shows. Nothing to install from a
        store: the Holdfast Push app opens in your phone&apos;s browser and can be added to its home screen.
      </p>

      {(step.name === 'start' || step.name === 'expired') && (
        <div className="stack">
          {step.name === 'expired' && (
            <p ref={expiredMessage} tabIndex={-1}>
              That pairing link has expired. Start again to get a new one.
            </p>
          )}
          <button type="button" className="primary" onClick={() => void start()} disabled={isBusy} aria-describedby={error === null ? undefined : errorId}>
            {isBusy ? 'Preparing…' : 'Add this phone for push'}
          </button>
        </div>
      )}

      {step.name === 'pair' && (
        <div className="stack">
          <h3 ref={pairHeading} tabIndex={-1}>
            Scan this QR code with your phone&apos;s camera
          </h3>
          <QrCode svg={step.qrCodeSvg} alt="QR code with the link that pairs your phone for push approval" />
          <p>Or, on the phone itself, open this link:</p>
          <div className="secret-row">
            <a className="pairing-link" href={step.pairingUrl} target="_blank" rel="noopener noreferrer" data-testid="push-pairing-link">
              {step.pairingUrl}
            </a>
            <button type="button" onClick={() => void copyLink(step.pairingUrl)}>
              Copy link
            </button>
          </div>
          <p className="hint">The link is valid for {step.life} and works once. Keep it to yourself: whoever opens it first can approve your sign-ins.</p>
          <p aria-live="polite">Waiting for your phone to finish pairing…</p>
          <div className="actions">
            <button
              type="button"
              onClick={() => {
                setStep({ name: 'start' });
              }}
            >
              Cancel
            </button>
          </div>
        </div>
      )}

      {step.name === 'done' && (
        <div className="stack">
          <p ref={doneMessage} tabIndex={-1} className="success">
            Paired: {step.deviceName}
          </p>
          <p>From now on, sign-ins can ask this phone for approval. It is listed below with your other sign-in methods.</p>
          <button
            type="button"
            onClick={() => {
              setStep({ name: 'start' });
            }}
          >
            Add another phone
          </button>
        </div>
      )}

      <PanelMessages errorId={errorId} error={error} status={status} />
    </section>
  );
}
