'use client';

import { useCallback } from 'react';
import { waitForPushAnswer, type PushWaitAnswer } from '../../lib/push-wait';
import { PushNumber, PushStatusLine, pushWaitStatus, usePushWait } from '../push-approval';
import { beginPushApproval } from './actions';

/** Approved: the browser leaves for the application's callback, as after a code. */
function leave(answer: Extract<PushWaitAnswer, { state: 'approved' | 'confirmed' }>) {
  if (answer.state === 'approved') window.location.assign(answer.redirectUrl);
}

/**
 * "Approve on your phone": a push goes to the user's paired phones; this page shows the number to
 * type there and waits live (the flow is ../push-approval.tsx). Approved → the browser leaves for
 * the application's callback, as after a code. Denied, unanswered or refused → words, the other
 * ways to verify stay on the page, and "Send again" where another push can help.
 */
export function HostedPush({ token, applicationName }: { token: string; applicationName: string }) {
  const begin = useCallback(() => beginPushApproval({ token }), [token]);
  const wait = useCallback(
    (transactionId: string, signal: AbortSignal) => waitForPushAnswer({ endpoint: '/verify/push-status', body: { token, transactionId }, signal }),
    [token],
  );
  const { step, now, send, numberHeading, statusLine } = usePushWait({ begin, wait, approval: 'approved', onApproved: leave });

  return (
    <section className="card" aria-labelledby="push-title">
      <h2 id="push-title">Approve on your phone</h2>
      <p>We send a request to the phone you paired. Check that it is you signing in, then type the number this page shows.</p>

      {(step.name === 'start' || step.name === 'sending') && (
        <div className="stack">
          <button type="button" className="primary" onClick={() => void send()} disabled={step.name === 'sending'}>
            Approve on your phone
          </button>
        </div>
      )}

      {step.name === 'waiting' && (
        <PushNumber
          idPrefix="push-number"
          className="stack push-wait"
          number={step.number}
          msLeft={step.expiresAt - now}
          headingRef={numberHeading}
          help={
            <>
              Open the notification on your phone (or the Holdfast Push app), check that the request is from {applicationName}, type {step.number} and approve.
            </>
          }
        />
      )}

      <PushStatusLine step={step} text={pushWaitStatus(step, `Approved. Taking you back to ${applicationName}…`)} lineRef={statusLine} />

      {step.name === 'ended' && step.canSendAgain && (
        <div className="stack">
          <button type="button" className="primary" onClick={() => void send()}>
            Send again
          </button>
        </div>
      )}
    </section>
  );
}
