'use client';

import { CodeInput } from '@holdfast/ui';
import type { FactorKind } from '@holdfast/validators';
import { browserSupportsWebAuthn, startAuthentication } from '@simplewebauthn/browser';
import { useState, type SubmitEvent } from 'react';
import { describeWebauthnError } from '../../lib/messages';
import { beginPasskey, finishPasskey, verifyRecoveryCode, verifyTotpCode } from './actions';
import { HostedPush } from './hosted-push';

/** Words for a failed passkey prompt: the browser's error name, as in the portal. */
function passkeyError(error: unknown): string {
  const name = error instanceof Error ? error.name : 'Error';
  return name === 'InvalidStateError' || name === 'Error'
    ? 'Your security key or passkey could not be used. Try again, or use another way to verify.'
    : describeWebauthnError(name);
}

/**
 * The hosted verification page: one section per kind of factor the user has. A success never
 * returns here — the server action redirects the browser to the application's callback.
 */
export function HostedVerify({ token, applicationName, factors }: { token: string; applicationName: string; factors: FactorKind[] }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<FactorKind | null>(null);
  const [totpCode, setTotpCode] = useState('');
  const [recoveryCode, setRecoveryCode] = useState('');
  const has = (kind: FactorKind) => factors.includes(kind);

  async function run(kind: FactorKind, action: () => Promise<{ ok: false; message: string } | undefined>) {
    setError(null);
    setBusy(kind);
    try {
      const failed = await action();
      if (failed !== undefined) setError(failed.message);
    } finally {
      setBusy(null);
    }
  }

  function submitTotp(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    void run('totp', async () => {
      const result = await verifyTotpCode({ token, code: totpCode });
      if (!result.ok) setTotpCode('');
      return result.ok ? undefined : result;
    });
  }

  function submitRecovery(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    void run('recovery_codes', async () => {
      const result = await verifyRecoveryCode({ token, code: recoveryCode });
      return result.ok ? undefined : result;
    });
  }

  function verifyWithPasskey() {
    void run('webauthn', async () => {
      if (!browserSupportsWebAuthn()) return { ok: false, message: describeWebauthnError('Unsupported') };
      const begun = await beginPasskey({ token });
      if (!begun.ok) return begun;
      let response;
      try {
        response = await startAuthentication({ optionsJSON: begun.value.options });
      } catch (browserError) {
        return { ok: false, message: passkeyError(browserError) };
      }
      const result = await finishPasskey({ token, challengeId: begun.value.challengeId, response });
      return result.ok ? undefined : result;
    });
  }

  const errorId = 'verify-error';
  return (
    <>
      <h1>Verify it is you</h1>
      <p className="lead">
        <strong>{applicationName}</strong> asks you to confirm your sign-in with your second step.
      </p>
      {factors.length === 0 && (
        <section className="notice" aria-labelledby="none-title">
          <h2 id="none-title">No way to verify is set up</h2>
          <p>You have not set up two-step sign-in yet. Go back to {applicationName} and ask it for an enrollment link.</p>
        </section>
      )}

      {/* First when the user has a paired phone: nothing to type here, and number matching beats a tired tap. */}
      {has('push') && <HostedPush token={token} applicationName={applicationName} />}

      {has('webauthn') && (
        <section className="card" aria-labelledby="passkey-title">
          <h2 id="passkey-title">Security key or passkey</h2>
          <p>Touch your security key, or unlock your device when your browser asks.</p>
          <div className="stack">
            <button
              type="button"
              className="primary"
              onClick={verifyWithPasskey}
              disabled={busy !== null}
              aria-describedby={error === null ? undefined : errorId}
            >
              {busy === 'webauthn' ? 'Waiting for your key…' : 'Use a security key or passkey'}
            </button>
          </div>
        </section>
      )}

      {has('totp') && (
        <section className="card" aria-labelledby="totp-title">
          <h2 id="totp-title">Authenticator app</h2>
          <form onSubmit={submitTotp} className="stack">
            <CodeInput
              kind="totp"
              id="totp-code"
              name="code"
              label="6-digit code from your authenticator app"
              value={totpCode}
              onChange={setTotpCode}
              describedBy={error === null ? undefined : errorId}
            />
            <button type="submit" className="primary" disabled={busy !== null}>
              {busy === 'totp' ? 'Checking…' : 'Verify'}
            </button>
          </form>
        </section>
      )}

      {has('recovery_codes') && (
        <section className="card" aria-labelledby="recovery-title">
          <h2 id="recovery-title">Recovery code</h2>
          <p>Lost your phone or key? Each recovery code works once.</p>
          <form onSubmit={submitRecovery} className="stack">
            <CodeInput
              kind="recovery_code"
              id="recovery-code"
              name="recoveryCode"
              label="Recovery code"
              value={recoveryCode}
              onChange={setRecoveryCode}
              describedBy={error === null ? undefined : errorId}
            />
            <button type="submit" disabled={busy !== null}>
              {busy === 'recovery_codes' ? 'Checking…' : 'Use recovery code'}
            </button>
          </form>
        </section>
      )}

      <p id={errorId} role="alert" className="error">
        {error}
      </p>
    </>
  );
}
