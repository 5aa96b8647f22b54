'use client';
// "Approve on your phone", shared by the hosted page (verify/hosted-push.tsx) and the portal's
// step-up (enroll/step-up-push.tsx): send a push, show the number, count down and long-poll the
// page's own route (lib/push-wait.ts) until the push is decided, gone or refused. The two screens
// differ only in their words, their route and what an approval does, so the flow lives here once.

import { useEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import { describeError } from '../lib/messages';
import { canSendPushAgain, formatCountdown, type PushWaitAnswer } from '../lib/push-wait';

/** What a screen's server action returns when it begins a push (ActionResult's shape). */
type PushBegun = { ok: true; value: { transactionId: string; number: string; expiresAt: string } } | { ok: false; code: string; message: string };

/** The approval a route answers with: `approved` (hosted page: a redirect) or `confirmed` (portal step-up). */
type PushApproval = Extract<PushWaitAnswer, { state: 'approved' | 'confirmed' }>;

export type PushWaitStep =
  | { name: 'start' }
  | { name: 'sending' }
  | { name: 'waiting'; transactionId: string; number: string; expiresAt: number }
  | { name: 'approved' }
  | { name: 'ended'; message: string; canSendAgain: boolean };

export function usePushWait(options: {
  begin: () => Promise<PushBegun>;
  /**
   * One wait for the transaction's answer (lib/push-wait.ts `waitForPushAnswer` against the
   * screen's route). A new function restarts the wait, so callers keep it stable (useCallback).
   */
  wait: (transactionId: string, signal: AbortSignal) => Promise<PushWaitAnswer | null>;
  /** The approval this screen's route gives; the other one is not an answer it can get. */
  approval: PushApproval['state'];
  /** Runs once the push is approved (stable too: a new function restarts the wait). */
  onApproved: (answer: PushApproval) => void;
}): {
  step: PushWaitStep;
  now: number;
  send: () => Promise<void>;
  numberHeading: RefObject<HTMLHeadingElement | null>;
  statusLine: RefObject<HTMLParagraphElement | null>;
} {
  const { begin, wait, approval, onApproved } = options;
  const [step, setStep] = useState<PushWaitStep>({ name: 'start' });
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

  // The wait: until the push is decided, gone or refused.
  const waitingFor = step.name === 'waiting' ? step.transactionId : null;
  useEffect(() => {
    if (waitingFor === null) return;
    const controller = new AbortController();
    void wait(waitingFor, controller.signal).then((answer) => {
      if (answer === null) return;
      switch (answer.state) {
        case 'approved':
        case 'confirmed':
          if (answer.state !== approval) {
            // The other screen's approval: not an answer this route gives.
            setStep({ name: 'ended', message: describeError('INTERNAL'), canSendAgain: true });
            return;
          }
          setStep({ name: 'approved' });
          onApproved(answer);
          return;
        case 'denied':
        case 'expired':
          setStep({ name: 'ended', message: answer.message, canSendAgain: true });
          return;
        case 'error':
          setStep({ name: 'ended', message: answer.message, canSendAgain: canSendPushAgain(answer.code) });
          return;
        case 'pending':
          // Not an answer the wait returns (pending is waited through).
          setStep({ name: 'ended', message: describeError('INTERNAL'), canSendAgain: true });
          return;
      }
    });
    return () => {
      controller.abort();
    };
  }, [waitingFor, wait, approval, onApproved]);

  async function send() {
    setStep({ name: 'sending' });
    const result = await begin();
    if (!result.ok) {
      setStep({ name: 'ended', message: result.message, canSendAgain: canSendPushAgain(result.code) });
      return;
    }
    setNow(Date.now());
    setStep({ name: 'waiting', transactionId: result.value.transactionId, number: result.value.number, expiresAt: Date.parse(result.value.expiresAt) });
  }

  return { step, now, send, numberHeading, statusLine };
}

/** The live status line's words; `approvedText` is the screen's own. */
export function pushWaitStatus(step: PushWaitStep, approvedText: string): string {
  switch (step.name) {
    case 'start':
      return '';
    case 'sending':
      return 'Sending a request to your phone…';
    case 'waiting':
      return `Waiting for your answer. Type ${step.number} on your phone to approve.`;
    case 'approved':
      return approvedText;
    case 'ended':
      return step.message;
  }
}

/** The number to type on the phone and the time left, labelled and described by `${idPrefix}-label` / `-help`. */
export function PushNumber({
  idPrefix,
  className,
  number,
  msLeft,
  headingRef,
  help,
}: {
  idPrefix: string;
  className: string;
  number: string;
  msLeft: number;
  headingRef: RefObject<HTMLHeadingElement | null>;
  help: ReactNode;
}) {
  return (
    <div className={className} role="group" aria-labelledby={`${idPrefix}-label`} aria-describedby={`${idPrefix}-help`}>
      <h3 id={`${idPrefix}-label`} ref={headingRef} tabIndex={-1}>
        Type this number on your phone
      </h3>
      <p className="push-number" data-testid="push-number">
        {number}
      </p>
      <p id={`${idPrefix}-help`}>{help}</p>
      <p className="hint" role="timer">
        Time left: {formatCountdown(msLeft)}
      </p>
    </div>
  );
}

/** The status line: one live region, present from the start so every change is announced. */
export function PushStatusLine({ step, text, lineRef }: { step: PushWaitStep; text: string; lineRef: RefObject<HTMLParagraphElement | null> }) {
  return (
    <p ref={lineRef} tabIndex={-1} className={step.name === 'ended' ? 'push-status ended' : 'push-status'} aria-live="polite">
      {text}
    </p>
  );
}
