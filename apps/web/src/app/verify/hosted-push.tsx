'use client';

import { useEffect, useRef, useState } from 'react';
import { describeError } from '../../lib/messages';
import { canSendPushAgain, formatCountdown, waitForPushAnswer } from '../../lib/push-wait';
import { beginPushApproval } from './actions';

type Step =
  | { name: 'start' }
  | { name: 'sending' }
  | { name: 'waiting'; transactionId: string; number: string; expiresAt: number }
  | { name: 'leaving' }
  | { name: 'ended'; message: string; canSendAgain: boolean };

/**
 * "Approve on your phone": a push goes to the user's paired phones; this page shows the number to
 * type there and waits live. Approved → the browser leaves for the application's callback, as
 * after a code. Denied, unanswered or refused → words, the other ways to verify stay on the page,
 * and "Send again" where another push can help.
 */
export function HostedPush({ token, applicationName }: { token: string; applicationName: string }) {
  const [step, setStep] = useState<Step>({ name: 'start' });
  const [now, setNow] = useState(() => Date.now());
  const numberHeading = useRef<HTMLHeadingElement>(null);
  const statusLine = useRef<HTMLParagraphElement>(null);

  // Focus follows the flow: onto the number when it appears, onto the words when the wait ends.
  useEffect(() => {
    if (step.name === 'waiting') numberHeading.current?.focus();
    if (step.name === 'ended') statusLine.current?.focus();
  }, [step.name]);

  // The countdown: one tick a second while waiting (not announced; the status line is).
  const isWaiting = step.name === 'waiting';
  useEffect(() => {
    if (!isWaiting) return;
    const timer = setInterval(() => {
      setNow(Date.now());
    }, 1_000);
    return () => {
      clearInterval(timer);
    };
  }, [isWaiting]);

  // The wait (lib/push-wait.ts): until the push is decided, gone or refused.
  const waitingFor = step.name === 'waiting' ? step.transactionId : null;
  useEffect(() => {
    if (waitingFor === null) return;
    const controller = new AbortController();
    void waitForPushAnswer({ endpoint: '/verify/push-status', body: { token, transactionId: waitingFor }, signal: controller.signal }).then((answer) => {
      if (answer === null) return;
      switch (answer.state) {
        case 'approved':
          setStep({ name: 'leaving' });
          window.location.assign(answer.redirectUrl);
          return;
        case 'denied':
        case 'expired':
          setStep({ name: 'ended', message: answer.message, canSendAgain: true });
          return;
        case 'error':
          setStep({ name: 'ended', message: answer.message, canSendAgain: canSendPushAgain(answer.code) });
          return;
        case 'pending':
        case 'confirmed':
          // Not answers this route gives (pending is waited through; confirmed is the portal's).
          setStep({ name: 'ended', message: describeError('INTERNAL'), canSendAgain: true });
          return;
      }
    });
    return () => {
      controller.abort();
    };
  }, [token, waitingFor]);

  async function send() {
    setStep({ name: 'sending' });
    const result = await beginPushApproval({ token });
    if (!result.ok) {
      setStep({ name: 'ended', message: result.message, canSendAgain: canSendPushAgain(result.code) });
      return;
    }
    setNow(Date.now());
    setStep({ name: 'waiting', transactionId: result.value.transactionId, number: result.value.number, expiresAt: Date.parse(result.value.expiresAt) });
  }

  const status =
    step.name === 'waiting'
      ? `Waiting for your answer. Type ${step.number} on your phone to approve.`
      : step.name === 'sending'
        ? 'Sending a request to your phone…'
        : step.name === 'leaving'
          ? `Approved. Taking you back to ${applicationName}…`
          : '';
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
        <div className="stack push-wait" role="group" aria-labelledby="push-number-label" aria-describedby="push-number-help">
          <h3 id="push-number-label" ref={numberHeading} tabIndex={-1}>
            Type this number on your phone
          </h3>
          <p className="push-number" data-testid="push-number">
            {step.number}
          </p>
          <p id="push-number-help">
            Open the notification on your phone (or the Holdfast Push app), check that the request is from {applicationName}, type {step.number} and approve.
          </p>
          <p className="hint" role="timer">
            Time left: {formatCountdown(step.expiresAt - now)}
          </p>
        </div>
      )}

      {/* One live region, present from the start so every change is announced: waiting, approved, or why it ended. */}
      <p ref={statusLine} tabIndex={-1} className={step.name === 'ended' ? 'push-status ended' : 'push-status'} aria-live="polite">
        {status}
      </p>

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
