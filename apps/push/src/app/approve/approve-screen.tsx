'use client';
// Approve: who asks, for which account, from where and when, with a live countdown; the person
// TYPES the number the sign-in screen shows (number matching transfers a secret: a bot holding a
// device key cannot approve without it). Every answer is signed on this device and sent once; a
// re-send after a lost response is harmless (the gateway's compare-and-set counts it once).
import { useEffect, useRef, useState } from 'react';
import { signAnswer } from '../../lib/device-key';
import { listPairings, type Pairing } from '../../lib/device-store';
import { describeRequestError } from '../../lib/messages';
import { fetchPendingForAll, formatRemaining } from '../../lib/pending';
import type { PushDecisionWord } from '../../lib/signed-bytes';
import { answerRequest } from '../actions';
import type { AnswerOutcome, PendingRequest } from '../types';

type Screen =
  | { step: 'loading' }
  | { step: 'not-paired' }
  | { step: 'gone' }
  | { step: 'unavailable'; message: string }
  | { step: 'asking'; pairing: Pairing; request: PendingRequest }
  | { step: 'done'; outcome: AnswerOutcome };

const numberPattern = /^[0-9]{2,3}$/;

/** The result screens' words, by what the gateway recorded. */
function describeOutcome(outcome: AnswerOutcome): { title: string; body: string } {
  switch (outcome.status) {
    case 'approved':
      return { title: 'Approved — you can return to your sign-in', body: 'Your sign-in continues on the other screen.' };
    case 'expired':
      return { title: 'This request expired', body: 'Requests last about a minute. If you are still signing in, start again on your sign-in screen.' };
    case 'denied':
      if (outcome.reason === 'fraud_reported') {
        return {
          title: 'Reported — push sign-ins are paused for 20 minutes',
          body: 'The sign-in was blocked and the application was told. Consider changing your password.',
        };
      }
      if (outcome.reason === 'wrong_number') {
        return { title: 'Denied', body: 'The number you typed did not match the sign-in screen, so this sign-in was denied. If it was you, start again.' };
      }
      return { title: 'Denied', body: 'The sign-in was blocked. If it was you after all, start again on your sign-in screen.' };
    case 'pending':
      return { title: 'This request can no longer be answered', body: describeRequestError('PUSH_REQUEST_REFUSED') };
  }
}

/** Which of this browser's pairings the request is for: the one whose signed list holds it. */
async function findRequest(transactionId: string): Promise<Screen> {
  const pairings = await listPairings();
  if (pairings.length === 0) return { step: 'not-paired' };
  const results = await fetchPendingForAll(pairings);
  let failure: string | null = null;
  for (const entry of results) {
    if (!entry.ok) {
      failure ??= entry.message;
      continue;
    }
    const request = entry.requests.find((candidate) => candidate.transactionId === transactionId);
    if (request !== undefined) return { step: 'asking', pairing: entry.pairing, request };
  }
  // Not in any list: answered, expired or not this device's — unless a list could not be read.
  return failure === null ? { step: 'gone' } : { step: 'unavailable', message: failure };
}

export function ApproveScreen({ transactionId }: { transactionId: string }) {
  const [screen, setScreen] = useState<Screen>({ step: 'loading' });
  const [now, setNow] = useState(() => Date.now());
  const [typed, setTyped] = useState('');
  const [fieldError, setFieldError] = useState('');
  const [formError, setFormError] = useState('');
  const [isSending, setIsSending] = useState(false);
  const [isConfirmingFraud, setIsConfirmingFraud] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const confirmRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    let isCurrent = true;
    const show = (next: Screen) => {
      if (isCurrent) setScreen(next);
    };
    void findRequest(transactionId).then(show, (error: unknown) => {
      console.error('holdfast push: could not load the request', error);
      show({ step: 'unavailable', message: describeRequestError('INTERNAL') });
    });
    return () => {
      isCurrent = false;
    };
  }, [transactionId]);

  // The countdown: once a second while a request is shown.
  useEffect(() => {
    if (screen.step !== 'asking') return;
    const timer = setInterval(() => {
      setNow(Date.now());
    }, 1000);
    return () => {
      clearInterval(timer);
    };
  }, [screen.step]);

  useEffect(() => {
    if (screen.step === 'done' || screen.step === 'gone') headingRef.current?.focus();
  }, [screen.step]);

  useEffect(() => {
    if (isConfirmingFraud) confirmRef.current?.focus();
  }, [isConfirmingFraud]);

  async function answer(pairing: Pairing, decision: PushDecisionWord) {
    setFormError('');
    if (decision === 'approve' && !numberPattern.test(typed.trim())) {
      setFieldError('Type the 2- or 3-digit number shown on your sign-in screen.');
      document.getElementById('typed-number')?.focus();
      return;
    }
    setFieldError('');
    setIsSending(true);
    try {
      const signed = await signAnswer(pairing, { transactionId, typedNumber: typed.trim(), decision });
      const result = await answerRequest(signed);
      if (result.ok) setScreen({ step: 'done', outcome: result.value });
      else if (result.code === 'PUSH_REQUEST_REFUSED' || result.code === 'PUSH_TRANSACTION_NOT_FOUND') setScreen({ step: 'gone' });
      else setFormError(result.message);
    } catch (error) {
      console.error('holdfast push: answer failed', error);
      setFormError(describeRequestError('INTERNAL'));
    } finally {
      setIsSending(false);
      setIsConfirmingFraud(false);
    }
  }

  switch (screen.step) {
    case 'loading':
      return (
        <>
          <h1>Sign-in request</h1>
          <p className="muted">Loading the request…</p>
        </>
      );
    case 'not-paired':
      return (
        <>
          <h1>This device is not paired</h1>
          <p>This device is not paired yet — open the pairing link from your account page.</p>
        </>
      );
    case 'unavailable':
      return (
        <>
          <h1>Sign-in request</h1>
          <p role="alert" className="error">
            {screen.message}
          </p>
          <div className="actions">
            <button
              type="button"
              onClick={() => {
                window.location.reload();
              }}
            >
              Try again
            </button>
          </div>
        </>
      );
    case 'gone':
      return (
        <>
          <h1 ref={headingRef} tabIndex={-1}>
            This request can no longer be answered
          </h1>
          <p>It was already answered, it expired, or it is not for this device. If you are still signing in, start again on your sign-in screen.</p>
          <p>
            <a href="/">See your sign-in requests</a>
          </p>
        </>
      );
    case 'done': {
      const words = describeOutcome(screen.outcome);
      return (
        <>
          <h1 ref={headingRef} tabIndex={-1}>
            {words.title}
          </h1>
          <p role="status">{words.body}</p>
          <p>
            <a href="/">See your sign-in requests</a>
          </p>
        </>
      );
    }
    case 'asking': {
      const { pairing, request } = screen;
      const remainingMs = new Date(request.expiresAt).getTime() - now;
      if (remainingMs <= 0) {
        return (
          <>
            <h1>This request expired</h1>
            <p>Requests last about a minute. If you are still signing in, start again on your sign-in screen.</p>
            <p>
              <a href="/">See your sign-in requests</a>
            </p>
          </>
        );
      }
      const { ipAddress, location, browser } = request.context;
      return (
        <>
          <h1>Are you signing in to {request.applicationName}?</h1>
          <dl className="facts panel">
            <dt>Account</dt>
            <dd>{pairing.userId}</dd>
            <dt>From</dt>
            <dd>{[location, ipAddress].filter((part) => part !== undefined).join(' · ') || 'Not given'}</dd>
            <dt>Browser</dt>
            <dd>{browser ?? 'Not given'}</dd>
            <dt>When</dt>
            <dd>{new Date(request.createdAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })}</dd>
            <dt>Expires in</dt>
            <dd>
              <span className="timer" role="timer" aria-label={`Expires in ${formatRemaining(remainingMs)}`}>
                {formatRemaining(remainingMs)}
              </span>
            </dd>
          </dl>
          <form
            noValidate
            onSubmit={(event) => {
              event.preventDefault();
              void answer(pairing, 'approve');
            }}
          >
            <div className="field">
              <label htmlFor="typed-number">Number shown on your sign-in screen</label>
              <p id="typed-number-hint" className="muted">
                Type the number shown on your sign-in screen. If you do not see one, you are not signing in: choose &ldquo;This wasn&apos;t me&rdquo;.
              </p>
              <input
                id="typed-number"
                name="typedNumber"
                className="number-input"
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9]{2,3}"
                minLength={2}
                maxLength={3}
                required
                value={typed}
                onChange={(event) => {
                  setTyped(event.target.value.replace(/[^0-9]/g, ''));
                }}
                aria-invalid={fieldError === '' ? undefined : true}
                aria-describedby={fieldError === '' ? 'typed-number-hint' : 'typed-number-hint typed-number-error'}
              />
              <p id="typed-number-error" className="error">
                {fieldError}
              </p>
            </div>
            <div className="actions">
              <button type="submit" className="primary" disabled={isSending}>
                Approve
              </button>
              <button type="button" disabled={isSending} onClick={() => void answer(pairing, 'deny')}>
                This wasn&apos;t me
              </button>
              <button
                type="button"
                className="danger"
                disabled={isSending}
                onClick={() => {
                  setIsConfirmingFraud(true);
                }}
              >
                Report fraud
              </button>
            </div>
            <p role="alert" className="error">
              {formError}
            </p>
          </form>
          {isConfirmingFraud ? (
            <section className="panel" aria-labelledby="fraud-heading">
              <h2 id="fraud-heading" ref={confirmRef} tabIndex={-1}>
                Report this sign-in as fraud?
              </h2>
              <p>
                The sign-in is blocked, {request.applicationName} is told, and push sign-ins for your account are paused for 20 minutes — including your own.
              </p>
              <div className="actions">
                <button type="button" className="danger" disabled={isSending} onClick={() => void answer(pairing, 'fraud')}>
                  Yes, report fraud
                </button>
                <button
                  type="button"
                  disabled={isSending}
                  onClick={() => {
                    setIsConfirmingFraud(false);
                  }}
                >
                  Cancel
                </button>
              </div>
            </section>
          ) : null}
        </>
      );
    }
  }
}
