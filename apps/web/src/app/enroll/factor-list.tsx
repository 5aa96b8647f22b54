'use client';

import { CodeInput } from '@holdfast/ui';
import { isWellFormedTotpCode } from '@holdfast/validators';
import { useEffect, useRef, useState, type SubmitEvent } from 'react';
import { formatDate, normalizeCode } from '../../lib/format';
import { removeFactor, renameFactor } from './actions';
import type { OwnFactor } from './types';

type Mode = 'view' | 'rename' | 'confirm-remove' | 'code-required' | 'cannot-remove';

function describeKind(factor: OwnFactor): string {
  switch (factor.kind) {
    case 'totp':
      return 'Authenticator app';
    case 'recovery_codes':
      return `Recovery codes · ${factor.remainingCodes ?? 0} left`;
    case 'webauthn':
      return factor.authenticatorName === null ? 'Security key or passkey' : `Security key or passkey · ${factor.authenticatorName}`;
    case 'push':
      return 'Phone for push approval';
    // Never listed to the user (the API filters admin-issued bypass codes out); named for completeness.
    case 'bypass':
      return 'One-time bypass code';
  }
}

function FactorItem({
  factor,
  canChange,
  onChanged,
  onStatus,
  onRemoved,
}: {
  factor: OwnFactor;
  /** False until the session has confirmed it is the user (step-up): the list is then read-only. */
  canChange: boolean;
  onChanged: () => Promise<void>;
  onStatus: (message: string) => void;
  onRemoved: () => void;
}) {
  const [mode, setMode] = useState<Mode>('view');
  const [label, setLabel] = useState(factor.label);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);
  const renameButton = useRef<HTMLButtonElement>(null);
  const labelInput = useRef<HTMLInputElement>(null);
  const confirmHeading = useRef<HTMLParagraphElement>(null);
  const codeInput = useRef<HTMLInputElement>(null);
  const wasOpen = useRef(false);

  // Focus follows the flow: into each step as it opens, back to the row's buttons when it closes.
  useEffect(() => {
    if (mode === 'rename') labelInput.current?.focus();
    if (mode === 'confirm-remove' || mode === 'cannot-remove') confirmHeading.current?.focus();
    if (mode === 'code-required') codeInput.current?.focus();
    if (mode === 'view' && wasOpen.current) renameButton.current?.focus();
    wasOpen.current = mode !== 'view';
  }, [mode]);

  function close() {
    setMode('view');
    setError(null);
    setCode('');
    setLabel(factor.label);
  }

  async function rename(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const trimmed = label.trim();
    if (trimmed === '') {
      setError('Enter a name of 1 to 64 characters.');
      return;
    }
    setIsBusy(true);
    const result = await renameFactor({ factorId: factor.id, label: trimmed });
    setIsBusy(false);
    if (!result.ok) {
      setError(result.message);
      if (result.code === 'STEP_UP_REQUIRED') void onChanged();
      return;
    }
    setMode('view');
    setError(null);
    onStatus(`Renamed to “${result.value.label}”.`);
    await onChanged();
  }

  async function remove(withCode: string | undefined) {
    setIsBusy(true);
    setError(null);
    const result = await removeFactor(withCode === undefined ? { factorId: factor.id } : { factorId: factor.id, code: withCode });
    setIsBusy(false);
    if (result.ok) {
      onStatus(`Removed “${factor.label}”.`);
      await onChanged();
      onRemoved();
      return;
    }
    if (result.code === 'FRESH_VERIFICATION_REQUIRED') {
      // The last way to sign in: the gateway wants proof from the factor itself before it goes.
      setMode(factor.kind === 'totp' ? 'code-required' : 'cannot-remove');
      return;
    }
    setError(result.message);
    // The step-up ran out: the portal re-reads the session and asks "Confirm it's you" again.
    if (result.code === 'STEP_UP_REQUIRED') void onChanged();
    if (mode === 'code-required') codeInput.current?.focus();
  }

  function submitCode(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const typed = normalizeCode(code);
    if (!isWellFormedTotpCode(typed)) {
      setError('Enter the 6-digit code your authenticator app shows, without letters.');
      codeInput.current?.focus();
      return;
    }
    void remove(typed);
  }

  const errorId = `factor-error-${factor.id}`;
  const describedBy = error === null ? undefined : errorId;
  return (
    <li className="factor" aria-labelledby={`factor-name-${factor.id}`}>
      <div className="factor-head">
        <div>
          <p className="factor-name" id={`factor-name-${factor.id}`}>
            {factor.label}
          </p>
          <p className="factor-meta">
            {describeKind(factor)}
            {factor.status === 'pending' && <span className="badge">Setup not finished</span>}
          </p>
          <p className="factor-meta">
            Added {formatDate(factor.createdAt)} · Last used {formatDate(factor.lastUsedAt)}
          </p>
        </div>
        {mode === 'view' && canChange && (
          <div className="actions">
            <button
              type="button"
              ref={renameButton}
              onClick={() => {
                setLabel(factor.label);
                setMode('rename');
              }}
              aria-label={`Rename ${factor.label}`}
            >
              Rename
            </button>
            <button
              type="button"
              className="danger"
              onClick={() => {
                setMode('confirm-remove');
              }}
              aria-label={`Remove ${factor.label}`}
            >
              Remove
            </button>
          </div>
        )}
      </div>

      {mode === 'rename' && (
        <form className="stack" onSubmit={(event) => void rename(event)}>
          <div className="field">
            <label htmlFor={`rename-${factor.id}`}>New name</label>
            <input
              ref={labelInput}
              id={`rename-${factor.id}`}
              maxLength={64}
              required
              value={label}
              onChange={(event) => {
                setLabel(event.target.value);
              }}
              aria-invalid={error !== null}
              aria-describedby={describedBy}
            />
          </div>
          <div className="actions">
            <button type="submit" className="primary" disabled={isBusy}>
              {isBusy ? 'Saving…' : 'Save name'}
            </button>
            <button type="button" onClick={close}>
              Cancel
            </button>
          </div>
        </form>
      )}

      {mode === 'confirm-remove' && (
        <div className="stack">
          <p ref={confirmHeading} tabIndex={-1}>
            Remove “{factor.label}”? You will no longer be able to sign in with it.
          </p>
          <div className="actions">
            <button type="button" className="danger" disabled={isBusy} onClick={() => void remove(undefined)}>
              {isBusy ? 'Removing…' : 'Yes, remove it'}
            </button>
            <button type="button" onClick={close}>
              Cancel
            </button>
          </div>
        </div>
      )}

      {mode === 'code-required' && (
        <form className="stack" onSubmit={submitCode}>
          <p>This is your last way to sign in. To remove it, enter the code “{factor.label}” shows right now.</p>
          <CodeInput
            ref={codeInput}
            kind="totp"
            id={`remove-code-${factor.id}`}
            label="6-digit code from your authenticator app"
            value={code}
            onChange={setCode}
            isInvalid={error !== null}
            describedBy={describedBy}
          />
          <div className="actions">
            <button type="submit" className="danger" disabled={isBusy}>
              {isBusy ? 'Removing…' : 'Remove'}
            </button>
            <button type="button" onClick={close}>
              Cancel
            </button>
          </div>
        </form>
      )}

      {mode === 'cannot-remove' && (
        <div className="stack">
          <p ref={confirmHeading} tabIndex={-1}>
            {factor.kind === 'recovery_codes'
              ? 'These recovery codes are your last way to sign in, so they cannot be removed. Set up an authenticator app first, then remove them.'
              : 'This is your last way to sign in, so it cannot be removed. Set up an authenticator app first, then remove it.'}
          </p>
          <div className="actions">
            <button type="button" onClick={close}>
              OK
            </button>
          </div>
        </div>
      )}

      <p id={errorId} role="alert" className="error">
        {error}
      </p>
    </li>
  );
}

export function FactorList({
  factors,
  canChange,
  onChanged,
  refreshError,
}: {
  factors: readonly OwnFactor[];
  canChange: boolean;
  onChanged: () => Promise<void>;
  refreshError: string | null;
}) {
  const [status, setStatus] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);
  return (
    <section className="card" aria-labelledby="factors-title">
      <h2 id="factors-title" ref={heading} tabIndex={-1}>
        Your sign-in factors
      </h2>
      {factors.length === 0 ? (
        <p>You have not set up any factors yet.</p>
      ) : (
        <ul className="factors">
          {factors.map((factor) => (
            <FactorItem
              key={factor.id}
              factor={factor}
              canChange={canChange}
              onChanged={onChanged}
              onStatus={setStatus}
              onRemoved={() => heading.current?.focus()}
            />
          ))}
        </ul>
      )}
      <p role="alert" className="error">
        {refreshError}
      </p>
      <p role="status" className="status">
        {status}
      </p>
    </section>
  );
}
