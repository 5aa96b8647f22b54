'use client';

import type { AdminFactorKind } from '@holdfast/validators';
import { useRef, useState, type ReactNode } from 'react';
import type { ActionResult } from '../app/sign-in/types';
import { FormMessages } from './messages';
import { useSensitiveAction } from './sensitive-action';
import { useIsHydrated } from './use-is-hydrated';

/**
 * The console pages that change things (a user, an application) run their actions one way: one
 * action at a time (controls disabled while it runs, and until the page is hydrated), through the
 * step-up dialog when the gateway asks for a fresh factor, and one outcome line for the page that
 * takes focus afterwards — the button pressed may be gone — unless the answer put a shown-once
 * secret on the page, whose heading takes focus instead.
 */
export function usePageActions(factorKinds: readonly AdminFactorKind[], errorId: string) {
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [isBusy, setIsBusy] = useState(false);
  const isHydrated = useIsHydrated();
  const outcomeLine = useRef<HTMLDivElement>(null);
  const sensitive = useSensitiveAction(factorKinds);
  const isSecretShown = useRef(false);

  /** Runs an action and says its outcome: `done` turns the answer into the status line. */
  async function act<T>(reason: string, action: () => Promise<ActionResult<T>>, done: (value: T) => string): Promise<boolean> {
    setIsBusy(true);
    setError(null);
    setStatus('');
    try {
      const result = await sensitive.run(reason, action);
      if (result.ok) setStatus(done(result.value));
      else setError(result.message);
      return result.ok;
    } finally {
      setIsBusy(false);
      if (!isSecretShown.current) outcomeLine.current?.focus();
      isSecretShown.current = false;
    }
  }

  /** Says something on the outcome line (a check before sending, an answer from a form of its own) and moves focus there. */
  function say(message: { error: string } | { status: string }) {
    setError('error' in message ? message.error : null);
    setStatus('status' in message ? message.status : '');
    outcomeLine.current?.focus();
  }

  const outcome: ReactNode = (
    <div ref={outcomeLine} tabIndex={-1} className="outcome">
      <FormMessages errorId={errorId} error={error} status={status} />
    </div>
  );

  return {
    act,
    say,
    /** Called from `done` when the answer put a shown-once secret on the page. */
    markSecretShown: () => {
      isSecretShown.current = true;
    },
    focusOutcome: () => outcomeLine.current?.focus(),
    run: sensitive.run,
    isHydrated,
    /** Controls are off while an action runs and until the page is hydrated (a click would do nothing). */
    isDisabled: isBusy || !isHydrated,
    outcome,
    dialog: sensitive.dialog,
  };
}
