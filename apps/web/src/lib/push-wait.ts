// "Approve on your phone" on the hosted page: what the browser's wait loop gets from the page's own
// server (POST /verify/push-status), which long-polls the gateway's `hosted.pushStatus`. Shared by
// the route and the client, so neither can drift from the other.
import { deadlineSignal, transactionToken, verifyRejectReason, type HostedOutcome, type PushTransactionStatusWord } from '@holdfast/validators';
import { z } from 'zod';
import { describeError, describePushEnd } from './messages';

/** How long one gateway call waits for the phone (the gateway allows up to 25 s). */
export const pushStatusWaitMs = 20_000;

export const pushWaitAnswer = z.discriminatedUnion('state', [
  /** Still waiting: ask again at once. */
  z.strictObject({ state: z.literal('pending') }),
  /** Approved: the browser leaves for the application's callback (a one-time code in the URL). */
  z.strictObject({ state: z.literal('approved'), redirectUrl: z.url({ protocol: /^https?$/ }) }),
  /** Approved as the portal's step-up ("Confirm it's you"): changes are allowed until then. */
  z.strictObject({ state: z.literal('confirmed'), validUntil: z.iso.datetime() }),
  /** Denied on the phone, or no answer in time: words, and the page offers "Send again". */
  z.strictObject({ state: z.literal('denied'), reason: verifyRejectReason.nullable(), message: z.string() }),
  z.strictObject({ state: z.literal('expired'), message: z.string() }),
  /** A refusal or an outage (code from the gateway or GATEWAY_UNAVAILABLE), in words. */
  z.strictObject({ state: z.literal('error'), code: z.string(), message: z.string() }),
]);
export type PushWaitAnswer = z.infer<typeof pushWaitAnswer>;

export const pushWaitRequest = z.strictObject({ token: transactionToken, transactionId: z.uuid() });
export const stepUpPushWaitRequest = z.strictObject({ transactionId: z.uuid() });

/** The gateway's answer in the page's words. */
export function toPushWaitAnswer(output: { status: PushTransactionStatusWord; outcome: HostedOutcome | null }): PushWaitAnswer {
  if (output.outcome?.outcome === 'accepted') return { state: 'approved', redirectUrl: output.outcome.redirectUrl };
  switch (output.status) {
    case 'pending':
      return { state: 'pending' };
    case 'expired':
      return { state: 'expired', message: describePushEnd({ status: 'expired' }) };
    case 'denied': {
      const reason = output.outcome?.outcome === 'rejected' ? output.outcome.reason : null;
      return { state: 'denied', reason, message: describePushEnd({ status: 'denied', reason }) };
    }
    case 'approved':
      // Approved without an outcome cannot be issued twice: the gateway answers TRANSACTION_COMPLETED instead.
      return pushWaitError('TRANSACTION_COMPLETED');
  }
}

export function pushWaitError(code: string): PushWaitAnswer {
  return { state: 'error', code, message: describeError(code) };
}

/** The portal's step-up push: the gateway's answer in the page's words. */
export function toStepUpPushWaitAnswer(output: { status: PushTransactionStatusWord; validUntil: Date | string | null }): PushWaitAnswer {
  switch (output.status) {
    case 'approved':
      return output.validUntil === null ? pushWaitError('STEP_UP_REQUIRED') : { state: 'confirmed', validUntil: new Date(output.validUntil).toISOString() };
    case 'pending':
      return { state: 'pending' };
    case 'expired':
      return { state: 'expired', message: describePushEnd({ status: 'expired' }) };
    case 'denied':
      return { state: 'denied', reason: null, message: describePushEnd({ status: 'denied', reason: null }) };
  }
}

const maxFailuresInARow = 3;
const retryPauseMs = 2_000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

async function askOnce(endpoint: string, body: unknown, signal: AbortSignal): Promise<PushWaitAnswer | null> {
  // deadlineSignal: AbortSignal.any + AbortSignal.timeout stops firing once a GC has run (see there).
  const deadline = deadlineSignal(pushStatusWaitMs * 2, signal);
  try {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: deadline.signal,
      cache: 'no-store',
    });
    const parsed = pushWaitAnswer.safeParse(await response.json());
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  } finally {
    deadline.clear();
  }
}

/**
 * The browser's wait loop: asks the page's own server (which long-polls the gateway) again as soon
 * as an answer says "pending", until the push is decided, gone, or refused; a network failure is
 * retried a few times after a pause. Resolves null when `signal` ends the wait.
 */
export async function waitForPushAnswer(options: { endpoint: string; body: unknown; signal: AbortSignal }): Promise<PushWaitAnswer | null> {
  const { signal } = options;
  let failures = 0;
  for (;;) {
    const startedAt = Date.now();
    const answer = await askOnce(options.endpoint, options.body, signal);
    if (signal.aborted) return null;
    if (answer === null || (answer.state === 'error' && answer.code === 'GATEWAY_UNAVAILABLE')) {
      failures += 1;
      if (failures >= maxFailuresInARow) return answer ?? pushWaitError('GATEWAY_UNAVAILABLE');
      await sleep(retryPauseMs, signal);
      continue;
    }
    if (answer.state !== 'pending') return answer;
    failures = 0;
    // A long-poll that came back at once (a gateway that does not wait) must not become a busy loop.
    if (Date.now() - startedAt < 1_000) await sleep(1_000, signal);
  }
}

/** "0:45": the countdown beside the number (minutes:seconds, never negative). */
export function formatCountdown(msLeft: number): string {
  const seconds = Math.max(0, Math.ceil(msLeft / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** Whether another push could work: not when the page itself is finished or pushes are paused. */
export function canSendPushAgain(code: string): boolean {
  return ![
    'PUSH_SUSPENDED',
    'TRANSACTION_ATTEMPTS_EXCEEDED',
    'TRANSACTION_COMPLETED',
    'TRANSACTION_EXPIRED',
    'TRANSACTION_INVALID',
    'FACTOR_KIND_NOT_ALLOWED',
    'FACTOR_NOT_FOUND',
    'ENROLLMENT_SESSION_INVALID',
  ].includes(code);
}
