'use client';

import { browserSupportsWebAuthn, startRegistration } from '@simplewebauthn/browser';
import { useEffect, useRef, useState, type SubmitEvent } from 'react';
import { describeWebauthnError } from '../../lib/messages';
import { beginWebauthnRegistration, finishWebauthnRegistration } from './actions';

type Step = { name: 'start' } | { name: 'done'; authenticatorName: string | null };

/** The browser's error name (a DOMException's, kept by @simplewebauthn/browser's WebAuthnError). */
function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

export function WebauthnSetup({ onChanged }: { onChanged: () => Promise<void> }) {
  const [step, setStep] = useState<Step>({ name: 'start' });
  const [label, setLabel] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);
  const doneMessage = useRef<HTMLParagraphElement>(null);

  useEffect(() => {
    if (step.name === 'done') doneMessage.current?.focus();
  }, [step.name]);

  async function add(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    if (!browserSupportsWebAuthn()) {
      setError(describeWebauthnError('Unsupported'));
      return;
    }
    setIsBusy(true);
    try {
      const begun = await beginWebauthnRegistration();
      if (!begun.ok) {
        setError(begun.message);
        // The step-up ran out (or never happened): the portal re-reads the session and asks for it.
        if (begun.code === 'STEP_UP_REQUIRED') void onChanged();
        return;
      }
      let response;
      try {
        response = await startRegistration({ optionsJSON: begun.value.options });
      } catch (browserError) {
        setError(describeWebauthnError(errorName(browserError)));
        return;
      }
      const trimmed = label.trim();
      const finished = await finishWebauthnRegistration({ challengeId: begun.value.challengeId, response, ...(trimmed === '' ? {} : { label: trimmed }) });
      if (!finished.ok) {
        setError(finished.code === 'ALREADY_ENROLLED' ? describeWebauthnError('InvalidStateError') : finished.message);
        if (finished.code === 'STEP_UP_REQUIRED') void onChanged();
        return;
      }
      setStep({ name: 'done', authenticatorName: finished.value.authenticatorName });
      await onChanged();
    } finally {
      setIsBusy(false);
    }
  }

  const errorId = 'webauthn-error';
  return (
    <section className="card" aria-labelledby="webauthn-title">
      <h2 id="webauthn-title">Security key or passkey</h2>
      <p>
        A security key you plug in or tap (such as a YubiKey), or a passkey kept by your phone, computer or password manager. You sign in by touching the key or
        unlocking your device — there is no code to type.
      </p>

      {step.name === 'start' && (
        <form onSubmit={(event) => void add(event)} className="stack">
          <div className="field">
            <label htmlFor="webauthn-label">
              Name for this key <span className="hint">(optional)</span>
            </label>
            <input
              id="webauthn-label"
              name="label"
              maxLength={64}
              placeholder="Security key"
              value={label}
              onChange={(event) => {
                setLabel(event.target.value);
              }}
              aria-describedby={error === null ? undefined : errorId}
            />
          </div>
          <button type="submit" className="primary" disabled={isBusy}>
            {isBusy ? 'Waiting for your key…' : 'Add a security key or passkey'}
          </button>
        </form>
      )}

      {step.name === 'done' && (
        <div className="stack">
          <p ref={doneMessage} tabIndex={-1} className="success">
            Your security key or passkey is added{step.authenticatorName === null ? '' : ` (${step.authenticatorName})`}. From now on you can sign in with it.
          </p>
          <button
            type="button"
            onClick={() => {
              setStep({ name: 'start' });
              setLabel('');
            }}
          >
            Add another key
          </button>
        </div>
      )}

      <p id={errorId} role="alert" className="error">
        {error}
      </p>
    </section>
  );
}
