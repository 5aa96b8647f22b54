'use client';

import { CodeInput } from '@holdfast/ui';
import { isWellFormedTotpCode, type AdminFactorKind } from '@holdfast/validators';
import { browserSupportsWebAuthn, startAuthentication, startRegistration } from '@simplewebauthn/browser';
import { useEffect, useRef, useState, type SubmitEvent } from 'react';
import { browserErrorName, FormMessages } from '../../components/messages';
import { QrCode } from '../../components/qr-code';
import { groupSecret, normalizeCode } from '../../lib/format';
import { describeWebauthnError } from '../../lib/messages';
import {
  beginPasskeyEnrollment,
  beginPasskeySignIn,
  beginTotpEnrollment,
  confirmTotpEnrollment,
  finishPasskeyEnrollment,
  finishPasskeySignIn,
  restartSignIn,
  submitPassword,
  submitTotp,
} from './actions';
import type { ActionResult, SignedIn, SignInNext } from './types';

type Step =
  | { name: 'password' }
  | { name: 'factor'; kinds: AdminFactorKind[] }
  | { name: 'enroll' }
  | { name: 'enroll-totp'; secret: string; qrCodeSvg: string }
  | { name: 'done' };

function stepAfterPassword(next: SignInNext): Step {
  return next.mustEnroll || next.enrolledFactors.length === 0 ? { name: 'enroll' } : { name: 'factor', kinds: next.enrolledFactors };
}

const errorId = 'sign-in-error';

/**
 * The whole sign-in: email and password, then the second factor the gateways verify — a passkey or
 * a code from an authenticator app, whichever the admin has — or, at first sign-in, enrolling one.
 * Focus moves to each new step's heading, so keyboard and screen-reader users land on it.
 */
export function SignInFlow({ notice, pending }: { notice: string | null; pending: SignInNext | null }) {
  const [step, setStep] = useState<Step>(pending === null ? { name: 'password' } : stepAfterPassword(pending));
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [isBusy, setIsBusy] = useState(false);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);
  const codeField = useRef<HTMLInputElement>(null);
  const isFirstRender = useRef(true);

  useEffect(() => {
    // Not on the first render: the page opens with focus where the browser puts it (the form).
    if (isFirstRender.current) {
      isFirstRender.current = false;
      return;
    }
    heading.current?.focus();
  }, [step.name]);

  function describedBy(): string | undefined {
    return error === null ? undefined : errorId;
  }

  /** Runs one action; a refusal is shown in words, and an ended sign-in goes back to the password. */
  async function run<T>(action: () => Promise<ActionResult<T>>): Promise<T | null> {
    setIsBusy(true);
    setError(null);
    try {
      const result = await action();
      if (result.ok) return result.value;
      setError(result.message);
      if (result.code === 'ADMIN_SESSION_INVALID') {
        setCode('');
        setStep({ name: 'password' });
      }
      return null;
    } finally {
      setIsBusy(false);
    }
  }

  function enterConsole() {
    setStep({ name: 'done' });
    setStatus('Signed in. Opening the console…');
    // A full navigation: the console's pages render on the server with the new cookie.
    window.location.assign('/');
  }

  async function submitCredentials(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const next = await run(() => submitPassword({ email, password }));
    if (next === null) return;
    setPassword('');
    setStep(stepAfterPassword(next));
  }

  async function submitCode(event: SubmitEvent<HTMLFormElement>, action: (input: { code: string }) => Promise<ActionResult<SignedIn>>) {
    event.preventDefault();
    const typed = normalizeCode(code);
    if (!isWellFormedTotpCode(typed)) {
      setError('Enter the 6-digit code your authenticator app shows, without letters.');
      codeField.current?.focus();
      return;
    }
    const done = await run(() => action({ code: typed }));
    setCode('');
    if (done === null) {
      codeField.current?.focus();
      return;
    }
    enterConsole();
  }

  async function usePasskey() {
    if (!browserSupportsWebAuthn()) {
      setError(describeWebauthnError('Unsupported', { isRegistration: false }));
      return;
    }
    const done = await run(async (): Promise<ActionResult<SignedIn>> => {
      const begun = await beginPasskeySignIn();
      if (!begun.ok) return begun;
      try {
        const response = await startAuthentication({ optionsJSON: begun.value.options });
        return await finishPasskeySignIn({ response });
      } catch (browserError) {
        return { ok: false, code: 'BROWSER', message: describeWebauthnError(browserErrorName(browserError), { isRegistration: false }) };
      }
    });
    if (done !== null) enterConsole();
  }

  async function addPasskey() {
    if (!browserSupportsWebAuthn()) {
      setError(describeWebauthnError('Unsupported', { isRegistration: true }));
      return;
    }
    const done = await run(async (): Promise<ActionResult<SignedIn>> => {
      const begun = await beginPasskeyEnrollment();
      if (!begun.ok) return begun;
      try {
        const response = await startRegistration({ optionsJSON: begun.value.options });
        return await finishPasskeyEnrollment({ response });
      } catch (browserError) {
        return { ok: false, code: 'BROWSER', message: describeWebauthnError(browserErrorName(browserError), { isRegistration: true }) };
      }
    });
    if (done !== null) enterConsole();
  }

  async function setUpAuthenticatorApp() {
    const begun = await run(beginTotpEnrollment);
    if (begun !== null) setStep({ name: 'enroll-totp', ...begun });
  }

  async function startAgain() {
    await restartSignIn();
    setError(null);
    setCode('');
    setStep({ name: 'password' });
  }

  const startAgainButton = (
    <button type="button" onClick={() => void startAgain()} disabled={isBusy}>
      Start again
    </button>
  );

  return (
    <div className="sign-in">
      {notice !== null && step.name === 'password' && (
        <p className="notice-line" role="status">
          {notice}
        </p>
      )}

      {step.name === 'password' && (
        <section className="card" aria-labelledby="sign-in-title">
          <h1 id="sign-in-title" ref={heading} tabIndex={-1}>
            Sign in to the Holdfast console
          </h1>
          <form onSubmit={(event) => void submitCredentials(event)} className="stack">
            <div className="field">
              <label htmlFor="email">Email</label>
              <input
                id="email"
                name="email"
                type="email"
                autoComplete="username"
                required
                value={email}
                onChange={(event) => {
                  setEmail(event.target.value);
                }}
                aria-invalid={error !== null}
                aria-describedby={describedBy()}
              />
            </div>
            <div className="field">
              <label htmlFor="password">Password</label>
              <input
                id="password"
                name="password"
                type="password"
                autoComplete="current-password"
                required
                maxLength={128}
                value={password}
                onChange={(event) => {
                  setPassword(event.target.value);
                }}
                aria-invalid={error !== null}
                aria-describedby={describedBy()}
              />
            </div>
            <button type="submit" className="primary" disabled={isBusy}>
              {isBusy ? 'Checking…' : 'Sign in'}
            </button>
          </form>
          <FormMessages errorId={errorId} error={error} status={status} />
        </section>
      )}

      {step.name === 'factor' && (
        <section className="card" aria-labelledby="factor-title">
          <h1 id="factor-title" ref={heading} tabIndex={-1}>
            Confirm it&apos;s you
          </h1>
          <p>Your password was right. Admin accounts also need a second factor, checked by the Holdfast gateways.</p>
          {step.kinds.includes('webauthn') && (
            <div className="stack">
              <button type="button" className="primary" onClick={() => void usePasskey()} disabled={isBusy} aria-describedby={describedBy()}>
                {isBusy ? 'Waiting for your passkey…' : 'Use your passkey'}
              </button>
            </div>
          )}
          {step.kinds.includes('totp') && (
            <form onSubmit={(event) => void submitCode(event, submitTotp)} className="stack">
              {step.kinds.includes('webauthn') && <p className="or">Or enter a code from your authenticator app:</p>}
              <CodeInput
                ref={codeField}
                kind="totp"
                id="totp-code"
                name="code"
                label="6-digit code from your authenticator app"
                value={code}
                onChange={setCode}
                isInvalid={error !== null}
                describedBy={describedBy()}
              />
              <button type="submit" className={step.kinds.includes('webauthn') ? undefined : 'primary'} disabled={isBusy}>
                {isBusy ? 'Checking…' : 'Verify code'}
              </button>
            </form>
          )}
          <div className="actions spaced">{startAgainButton}</div>
          <FormMessages errorId={errorId} error={error} status={status} />
        </section>
      )}

      {step.name === 'enroll' && (
        <section className="card" aria-labelledby="enroll-title">
          <h1 id="enroll-title" ref={heading} tabIndex={-1}>
            Set up your second factor
          </h1>
          <p>
            This is your first sign-in. Every admin account needs a second factor, checked by the Holdfast gateways each time you sign in and before sensitive
            actions. Choose one:
          </p>
          <div className="choices">
            <div className="choice">
              <h2>Passkey or security key</h2>
              <p>Touch your key or unlock your device (fingerprint, face or PIN). Nothing to type, and it cannot be phished.</p>
              <button type="button" className="primary" onClick={() => void addPasskey()} disabled={isBusy} aria-describedby={describedBy()}>
                {isBusy ? 'Waiting for your passkey…' : 'Add a passkey'}
              </button>
            </div>
            <div className="choice">
              <h2>Authenticator app</h2>
              <p>An app on your phone shows a new 6-digit code every 30 seconds.</p>
              <button type="button" onClick={() => void setUpAuthenticatorApp()} disabled={isBusy}>
                Set up an authenticator app
              </button>
            </div>
          </div>
          <div className="actions spaced">{startAgainButton}</div>
          <FormMessages errorId={errorId} error={error} status={status} />
        </section>
      )}

      {step.name === 'enroll-totp' && (
        <section className="card" aria-labelledby="enroll-totp-title">
          <h1 id="enroll-totp-title" ref={heading} tabIndex={-1}>
            Set up an authenticator app
          </h1>
          <div className="stack">
            <h2>1. Scan this QR code with the app</h2>
            <QrCode svg={step.qrCodeSvg} alt="QR code for adding your Holdfast admin account to your authenticator app" />
            <p>Can&apos;t scan it? In the app, choose to enter a setup key and type this one:</p>
            <code className="secret" data-testid="totp-secret" aria-label="Setup key">
              {groupSecret(step.secret)}
            </code>
          </div>
          <form onSubmit={(event) => void submitCode(event, confirmTotpEnrollment)} className="stack">
            <h2>2. Enter the code the app shows</h2>
            <CodeInput
              ref={codeField}
              kind="totp"
              id="enroll-totp-code"
              name="code"
              label="6-digit code"
              value={code}
              onChange={setCode}
              isInvalid={error !== null}
              describedBy={describedBy()}
            />
            <div className="actions">
              <button type="submit" className="primary" disabled={isBusy}>
                {isBusy ? 'Checking…' : 'Confirm and sign in'}
              </button>
              <button
                type="button"
                onClick={() => {
                  setError(null);
                  setStep({ name: 'enroll' });
                }}
                disabled={isBusy}
              >
                Choose another way
              </button>
            </div>
          </form>
          <FormMessages errorId={errorId} error={error} status={status} />
        </section>
      )}

      {step.name === 'done' && (
        <section className="card" aria-labelledby="done-title">
          <h1 id="done-title" ref={heading} tabIndex={-1}>
            Signed in
          </h1>
          <p role="status">{status}</p>
          <p>
            <a href="/">Open the console</a>
          </p>
        </section>
      )}
    </div>
  );
}
