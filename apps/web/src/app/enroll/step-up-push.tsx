'use client';

import { useCallback } from 'react';
import { waitForPushAnswer } from '../../lib/push-wait';
import { PushNumber, PushStatusLine, pushWaitStatus, usePushWait } from '../push-approval';
import { beginStepUpPush } from './actions';

function waitForStepUpAnswer(transactionId: string, signal: AbortSignal) {
  return waitForPushAnswer({ endpoint: '/enroll/push-status', body: { transactionId }, signal });
}

/**
 * "Confirm it's you" with a paired phone: as on the hosted page (the flow is ../push-approval.tsx),
 * a push goes out, the portal shows the number to type on the phone and waits live
 * (src/app/enroll/push-status); an approval steps the session up and the portal re-reads it.
 */
export function StepUpPush({ isDisabled, onConfirmed }: { isDisabled: boolean; onConfirmed: () => Promise<void> }) {
  const confirm = useCallback(() => {
    void onConfirmed();
  }, [onConfirmed]);
  const { step, now, send, numberHeading, statusLine } = usePushWait({
    begin: beginStepUpPush,
    wait: waitForStepUpAnswer,
    approval: 'confirmed',
    onApproved: confirm,
  });

  return (
    <div className="stack">
      {(step.name === 'start' || step.name === 'sending') && (
        <button type="button" className="primary" onClick={() => void send()} disabled={isDisabled || step.name === 'sending'}>
          Approve on your phone
        </button>
      )}

      {step.name === 'waiting' && (
        <PushNumber
          idPrefix="step-up-push"
          className="stack"
          number={step.number}
          msLeft={step.expiresAt - now}
          headingRef={numberHeading}
          help={<>Open the notification on your phone (or the Holdfast Push app), type {step.number} and approve.</>}
        />
      )}

      <PushStatusLine step={step} text={pushWaitStatus(step, 'Approved on your phone.')} lineRef={statusLine} />

      {step.name === 'ended' && step.canSendAgain && (
        <button type="button" className="primary" onClick={() => void send()} disabled={isDisabled}>
          Send again
        </button>
      )}
    </div>
  );
}
