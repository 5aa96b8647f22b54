'use client';

import { CodeInput } from '@holdfast/ui';
import type { FactorKind } from '@holdfast/validators';
import { browserSupportsWebAuthn, startAuthentication } from '@simplewebauthn/browser';
import { useEffect, useRef, useState, type SubmitEvent } from 'react';
import { describeWebauthnError } from '../../lib/messages';
import { beginStepUpWebauthn, finishStepUpWebauthn, stepUpWithRecoveryCode, stepUpWithTotp } from './actions';
import { StepUpPush } from './step-up-push';
import type { EnrollmentSession } from './types';

/** Words for a failed passkey prompt (the browser's error name), as on the hosted page. */
function passkeyError(error: unknown): string {
  const name = error instanceof Error ? error.name : 'Error';
  return name === 'InvalidStateError' || name === 'Error'
    ? 'Your security key or passkey could not be used. Try again, or use another way to confirm.'
    : describeWebauthnError(name);
}

/**
 * "Confirm it's you": a user who already has a way to sign in proves it with one of them before
 * this session may add, remove, rename or regenerate anything (the gateway refuses otherwise).
 * Each try is counted like a sign-in, so wrong codes lock the factor as they would there.
 */
export function StepUp({ session, hasLapsed, onConfirmed }: { session: EnrollmentSession; hasLapsed: boolean; onConfirmed: () => Promise<void> }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<FactorKind | null>(null);
  const [totpCode, setTotpCode] = useState('');
  const [recoveryCode, setRecoveryCode] = useState('');
  const [totpFactorId, setTotpFactorId] = useState(session.totpFactors.at(-1)?.id ?? '');
  const heading = useRef<HTMLHeadingElement>(null);
  const has = (kind: FactorKind) => session.stepUpKinds.includes(kind);

  // The step replaces the portal's actions: focus moves to it, so screen readers announce why.
  useEffect(() => {
    heading.current?.focus();
  }, []);

  async function run(kind: FactorKind, attempt: () => Promise<{ ok: true } | { ok: false; message: string }>) {
    setError(null);
    setBusy(kind);
    try {
      const result = await attempt();
      if (result.ok) {
        await onConfirmed();
        return;
      }
      setError(result.message);
    } finally {
      setBusy(null);
    }
  }

  function submitTotp(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    void run('totp', async () => {
      const result = await stepUpWithTotp(session.totpFactors.length > 1 ? { code: totpCode, factorId: totpFactorId } : { code: totpCode });
      setTotpCode('');
      return result;
    });
  }

  function submitRecovery(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    void run('recovery_codes', async () => {
      const result = await stepUpWithRecoveryCode({ code: recoveryCode });
      if (result.ok) setRecoveryCode('');
      return result;
    });
  }

  function confirmWithPasskey() {
    void run('webauthn', async () => {
      if (!browserSupportsWebAuthn()) return { ok: false, message: describeWebauthnError('Unsupported') };
      const begun = await beginStepUpWebauthn();
      if (!begun.ok) return begun;
      let response;
      try {
        response = await startAuthentication({ optionsJSON: begun.value.options });
      } catch (browserError) {
        return { ok: false, message: passkeyError(browserError) };
      }
      return finishStepUpWebauthn({ challengeId: begun.value.challengeId, response });
    });
  }

  const errorId = 'step-up-error';
  const describedBy = error === null ? undefined : errorId;
  return (
    <section className="card" aria-labelledby="step-up-title">
      <h2 id="step-up-title" ref={heading} tabIndex={-1}>
        Confirm it&apos;s you
      </h2>
      <p>
        {hasLapsed
          ? "Your confirmation lasts 5 minutes and has run out. Confirm it's you again to keep making changes."
          : "You already have a way to sign in. Before you add, remove or rename one, or get new recovery codes, use one of them to confirm it's you."}
      </p>

      {session.stepUpKinds.length === 0 && (
        <p>
          None of your sign-in methods can be used right now (they may be locked after too many wrong codes). Ask the app or website that sent you here to reset
          them; it will check who you are first.
        </p>
      )}

      {has('webauthn') && (
        <div className="stack">
          <button type="button" className="primary" onClick={confirmWithPasskey} disabled={busy !== null} aria-describedby={describedBy}>
            {busy === 'webauthn' ? 'Waiting for your key…' : 'Use your security key or passkey'}
          </button>
        </div>
      )}

      {has('push') && <StepUpPush isDisabled={busy !== null} onConfirmed={onConfirmed} />}

      {has('totp') && (
        <form onSubmit={submitTotp} className="stack">
          {session.totpFactors.length > 1 && (
            <div className="field">
              <label htmlFor="step-up-totp-factor">Authenticator app</label>
              <select
                id="step-up-totp-factor"
                value={totpFactorId}
                onChange={(event) => {
                  setTotpFactorId(event.target.value);
                }}
              >
                {session.totpFactors.map((factor) => (
                  <option key={factor.id} value={factor.id}>
                    {factor.label}
                  </option>
                ))}
              </select>
            </div>
          )}
          <CodeInput
            kind="totp"
            id="step-up-totp-code"
            name="code"
            label="6-digit code from your authenticator app"
            value={totpCode}
            onChange={setTotpCode}
            isInvalid={error !== null && busy === null}
            describedBy={describedBy}
          />
          <button type="submit" className="primary" disabled={busy !== null}>
            {busy === 'totp' ? 'Checking…' : 'Confirm with code'}
          </button>
        </form>
      )}

      {has('recovery_codes') && (
        <form onSubmit={submitRecovery} className="stack">
          <CodeInput
            kind="recovery_code"
            id="step-up-recovery-code"
            name="recoveryCode"
            label="Or a recovery code (it will be used up)"
            value={recoveryCode}
            onChange={setRecoveryCode}
            describedBy={describedBy}
          />
          <button type="submit" disabled={busy !== null}>
            {busy === 'recovery_codes' ? 'Checking…' : 'Confirm with recovery code'}
          </button>
        </form>
      )}

      <p id={errorId} role="alert" className="error">
        {error}
      </p>
    </section>
  );
}
