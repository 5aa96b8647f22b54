'use client';

import type { AdminFactorKind } from '@holdfast/validators';
import { useRef, useState, type ReactNode } from 'react';
import { StepUpDialog } from '../app/(console)/step-up-dialog';
import type { ActionResult } from '../app/sign-in/types';

const cancelled = { ok: false, code: 'STEP_UP_CANCELLED', message: 'Cancelled: nothing was changed.' } as const;

/**
 * Runs a server action that the gateway may refuse with ADMIN_STEP_UP_REQUIRED (a sensitive action
 * and no second factor within 5 minutes): the step-up dialog opens, and once the admin has used a
 * factor the same action is sent again — the admin does not have to click twice. An ended session
 * goes to sign-in. The gateway is the one that decides; this only reacts to its answer.
 */
export function useSensitiveAction(factorKinds: readonly AdminFactorKind[]): {
  run: <T>(reason: string, action: () => Promise<ActionResult<T>>) => Promise<ActionResult<T>>;
  dialog: ReactNode;
} {
  const [reason, setReason] = useState<string | null>(null);
  const pending = useRef<{ retry: () => void; cancel: () => void } | null>(null);

  function run<T>(why: string, action: () => Promise<ActionResult<T>>): Promise<ActionResult<T>> {
    return action().then((result) => {
      if (!result.ok && result.code === 'ADMIN_SESSION_INVALID') window.location.assign('/session-ended');
      if (result.ok || result.code !== 'ADMIN_STEP_UP_REQUIRED') return result;
      return new Promise<ActionResult<T>>((resolve) => {
        pending.current = {
          retry: () => void action().then(resolve),
          cancel: () => {
            resolve(cancelled);
          },
        };
        setReason(why);
      });
    });
  }

  function finish(isConfirmed: boolean) {
    const waiting = pending.current;
    pending.current = null;
    setReason(null);
    if (isConfirmed) waiting?.retry();
    else waiting?.cancel();
  }

  const dialog = (
    <StepUpDialog
      isOpen={reason !== null}
      factorKinds={factorKinds}
      reason={reason ?? 'continue'}
      onConfirmed={() => {
        finish(true);
      }}
      onCancel={() => {
        finish(false);
      }}
    />
  );
  return { run, dialog };
}
