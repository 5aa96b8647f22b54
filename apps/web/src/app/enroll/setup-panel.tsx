import { useState } from 'react';
import type { ActionResult } from './types';

/**
 * What every setup panel (authenticator app, recovery codes, push pairing) keeps: its error line,
 * its status line, whether an action is running, and how it runs one — busy meanwhile, the error
 * (and, for `clearsStatus`, the status line) cleared first; a refusal is shown in words, and
 * STEP_UP_REQUIRED (the step-up ran out or never happened) also makes the portal re-read the
 * session and ask for it. `run` gives the value, or null after a refusal.
 */
export function useSetupPanel({ onChanged }: { onChanged: () => Promise<void> }) {
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [isBusy, setIsBusy] = useState(false);

  async function run<T>(action: () => Promise<ActionResult<T>>, options: { clearsStatus?: boolean } = {}): Promise<T | null> {
    setIsBusy(true);
    setError(null);
    if (options.clearsStatus === true) setStatus('');
    const result = await action();
    setIsBusy(false);
    if (!result.ok) {
      setError(result.message);
      if (result.code === 'STEP_UP_REQUIRED') void onChanged();
      return null;
    }
    return result.value;
  }

  return { error, setError, status, setStatus, isBusy, run };
}

/** A panel's error (announced at once) and status (announced politely) lines, always present. */
export function PanelMessages({ errorId, error, status }: { errorId?: string; error: string | null; status: string }) {
  return (
    <>
      <p id={errorId} role="alert" className="error">
        {error}
      </p>
      <p role="status" className="status">
        {status}
      </p>
    </>
  );
}
