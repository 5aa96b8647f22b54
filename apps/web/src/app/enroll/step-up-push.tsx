'use client';

import { useEffect, useRef, useState } from 'react';
import { canSendPushAgain, formatCountdown, waitForPushAnswer } from '../../lib/push-wait';
import { describeError } from '../../lib/messages';
import { beginStepUpPush } from './actions';

type Step =
  | { name: 'start' }
  | { name: 'sending' }
  | { name: 'waiting'; transactionId: string; number: string; expiresAt: number }
  | { name: 'confirmed' }
  | { name: 'ended'; message: string; canSendAgain: boolean };

/**
 * "Confirm it's you" with a paired phone: as on the hosted page, a push goes out, the portal shows
 * the number to type on the phone and waits live (src/app/enroll/push-status); an approval steps
 * the session up and the portal re-reads it.
 */
export function StepUpPush({ isDisabled, onConfirmed }: { isDisabled: boolean; onConfirmed: () => Promise<void> }) {
  const [step, setStep] = useState<Step>({ name: 'start' });
  const [now, setNow] = useState(() => Date.now());
  const numberHeading = useRef<HTMLHeadingElement>(null);
  const statusLine = useRef<HTMLParagraphElement>(null);

  useEffect(() => {
    if (step.name === 'waiting') numberHeading.current?.focus();
    if (step.name === 'ended') statusLine.current?.focus();
  }, [step.name]);

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

  const waitingFor = step.name === 'waiting' ? step.transactionId : null;
  useEffect(() => {
    if (waitingFor === null) return;
    const controller = new AbortController();
    void waitForPushAnswer({ endpoint: '/enroll/push-status', body: { transactionId: waitingFor }, signal: controller.signal }).then((answer) => {
      if (answer === null) return;
      switch (answer.state) {
        case 'confirmed':
          setStep({ name: 'confirmed' });
          void onConfirmed();
          return;
        case 'denied':
        case 'expired':
          setStep({ name: 'ended', message: answer.message, canSendAgain: true });
          return;
        case 'error':
          setStep({ name: 'ended', message: answer.message, canSendAgain: canSendPushAgain(answer.code) });
          return;
        case 'pending':
        case 'approved':
          // Not answers this route gives (pending is waited through; a redirect is the hosted page's).
          setStep({ name: 'ended', message: describeError('INTERNAL'), canSendAgain: true });
          return;
      }
    });
    return () => {
      controller.abort();
    };
  }, [waitingFor, onConfirmed]);

  async function send() {
    setStep({ name: 'sending' });
    const result = await beginStepUpPush();
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
        : step.name === 'confirmed'
          ? 'Approved on your phone.'
          : step.name === 'ended'
            ? step.message
            : '';
  return (
    <div className="stack">
      {(step.name === 'start' || step.name === 'sending') && (
        <button type="button" className="primary" onClick={() => void send()} disabled={isDisabled || step.name === 'sending'}>
          Approve on your phone
        </button>
      )}

      {step.name === 'waiting' && (
        <div className="stack" role="group" aria-labelledby="step-up-push-label" aria-describedby="step-up-push-help">
          <h3 id="step-up-push-label" ref={numberHeading} tabIndex={-1}>
            Type this number on your phone
          </h3>
          <p className="push-number" data-testid="push-number">
            {step.number}
          </p>
          <p id="step-up-push-help">Open the notification on your phone (or the Holdfast Push app), type {step.number} and approve.</p>
          <p className="hint" role="timer">
            Time left: {formatCountdown(step.expiresAt - now)}
          </p>
        </div>
      )}

      <p ref={statusLine} tabIndex={-1} className={step.name === 'ended' ? 'push-status ended' : 'push-status'} aria-live="polite">
        {status}
      </p>

      {step.name === 'ended' && step.canSendAgain && (
        <button type="button" className="primary" onClick={() => void send()} disabled={isDisabled}>
          Send again
        </button>
      )}
    </div>
  );
}
