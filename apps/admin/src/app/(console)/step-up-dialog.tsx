'use client';

import { CodeInput } from '@holdfast/ui';
import { isWellFormedTotpCode, type AdminFactorKind } from '@holdfast/validators';
import { browserSupportsWebAuthn, startAuthentication } from '@simplewebauthn/browser';
import { useEffect, useRef, useState, type SubmitEvent } from 'react';
import { browserErrorName, FormMessages } from '../../components/messages';
import { normalizeCode } from '../../lib/format';
import { describeWebauthnError } from '../../lib/messages';
import type { ActionResult } from '../sign-in/types';
import { beginStepUpPasskey, finishStepUpPasskey, stepUpWithTotp } from './actions';

/**
 * "Confirm it's you" before a sensitive action (creating API keys, unlocking or resetting a user's
 * factors, issuing a bypass, changing policies or roles): the gateways refuse those with
 * ADMIN_STEP_UP_REQUIRED unless the session used a second factor within the last 5 minutes. A
 * modal <dialog> (focus stays inside, Escape cancels, focus returns to the opener); the page opens
 * it on that refusal and retries its action after `onConfirmed`.
 */
export function StepUpDialog({
  isOpen,
  factorKinds,
  reason,
  onConfirmed,
  onCancel,
}: {
  isOpen: boolean;
  factorKinds: readonly AdminFactorKind[];
  /** What the admin is about to do, e.g. "create an API key". */
  reason: string;
  onConfirmed: (stepUpUntil: string) => void;
  onCancel: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const codeField = useRef<HTMLInputElement>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);

  useEffect(() => {
    const element = dialog.current;
    if (element === null) return;
    if (isOpen && !element.open) {
      setError(null);
      setCode('');
      element.showModal();
    }
    if (!isOpen && element.open) element.close();
  }, [isOpen]);

  async function run(action: () => Promise<ActionResult<{ stepUpUntil: string }>>) {
    setIsBusy(true);
    setError(null);
    try {
      const result = await action();
      if (result.ok) {
        onConfirmed(result.value.stepUpUntil);
        return;
      }
      setError(result.message);
      codeField.current?.focus();
    } finally {
      setIsBusy(false);
    }
  }

  function submitCode(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const typed = normalizeCode(code);
    if (!isWellFormedTotpCode(typed)) {
      setError('Enter the 6-digit code your authenticator app shows, without letters.');
      codeField.current?.focus();
      return;
    }
    setCode('');
    void run(() => stepUpWithTotp({ code: typed }));
  }

  function usePasskey() {
    if (!browserSupportsWebAuthn()) {
      setError(describeWebauthnError('Unsupported', { isRegistration: false }));
      return;
    }
    void run(async () => {
      const begun = await beginStepUpPasskey();
      if (!begun.ok) return begun;
      try {
        const response = await startAuthentication({ optionsJSON: begun.value.options });
        return await finishStepUpPasskey({ response });
      } catch (browserError) {
        return { ok: false, code: 'BROWSER', message: describeWebauthnError(browserErrorName(browserError), { isRegistration: false }) };
      }
    });
  }

  const errorId = 'step-up-error';
  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="step-up-title" onCancel={onCancel}>
      <h2 id="step-up-title">Confirm it&apos;s you</h2>
      <p>To {reason}, use your second factor again. The confirmation lasts 5 minutes.</p>
      {factorKinds.includes('webauthn') && (
        <div className="stack">
          <button type="button" className="primary" onClick={usePasskey} disabled={isBusy}>
            {isBusy ? 'Waiting for your passkey…' : 'Use your passkey'}
          </button>
        </div>
      )}
      {factorKinds.includes('totp') && (
        <form onSubmit={submitCode} className="stack">
          <CodeInput
            ref={codeField}
            kind="totp"
            id="step-up-code"
            name="code"
            label="6-digit code from your authenticator app"
            value={code}
            onChange={setCode}
            isInvalid={error !== null}
            describedBy={error === null ? undefined : errorId}
          />
          <button type="submit" disabled={isBusy}>
            {isBusy ? 'Checking…' : 'Confirm with code'}
          </button>
        </form>
      )}
      <div className="actions spaced">
        <button type="button" onClick={onCancel} disabled={isBusy}>
          Cancel
        </button>
      </div>
      <FormMessages errorId={errorId} error={error} />
    </dialog>
  );
}
