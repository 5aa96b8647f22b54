// The drill's simulated phone: signs an answer with its P-256 key, as the PWA does with WebCrypto,
// and sends it to a gateway's public tRPC endpoint with plain HTTP (a device has no API key and no SDK).
import { pushAnswerSignedBytes, pushSignatureAudience, signDevicePayload, type PushDecision, type PushTransactionStatus } from '@holdfast/core';
import type { KeyObject } from 'node:crypto';

/** The body of `POST /trpc/push.deviceAnswer` (schemas.ts deviceAnswerInput). */
export interface DeviceAnswerBody {
  deviceId: string;
  transactionId: string;
  typedNumber: string;
  decision: PushDecision;
  deviceTime: number;
  signature: string;
}

export function signDeviceAnswer(options: {
  privateKey: KeyObject;
  deviceId: string;
  transactionId: string;
  typedNumber: string;
  decision: PushDecision;
  /** The gateways' HOLDFAST_PUSH_PUBLIC_URL. */
  pushOrigin: string;
  applicationId: string;
  deviceTime?: Date;
}): DeviceAnswerBody {
  const deviceTime = options.deviceTime ?? new Date();
  const audience = pushSignatureAudience({ origin: options.pushOrigin, applicationId: options.applicationId });
  const bytes = pushAnswerSignedBytes({
    transactionId: options.transactionId,
    typedNumber: options.typedNumber,
    decision: options.decision,
    deviceTime,
    audience,
  });
  // WebCrypto's ECDSA output: IEEE P1363 r || s, 64 bytes (not DER).
  const signature = Buffer.from(signDevicePayload({ privateKey: options.privateKey, payload: bytes }));
  return {
    deviceId: options.deviceId,
    transactionId: options.transactionId,
    typedNumber: options.typedNumber,
    decision: options.decision,
    deviceTime: deviceTime.getTime(),
    signature: signature.toString('base64url'),
  };
}

export type DeviceAnswerResult =
  /** The gateway answered with the transaction's status (a transition, or the recorded outcome of a re-send). */
  | { kind: 'answered'; status: PushTransactionStatus; reason: string; gateway: string; tries: number }
  /** A definitive refusal (4xx): PUSH_REQUEST_REFUSED for anything the gateway will not act on. */
  | { kind: 'refused'; code: string; gateway: string; tries: number }
  /** No gateway gave a definitive answer within the bound. */
  | { kind: 'error'; detail: string; tries: number };

type TryResult = { kind: 'final'; result: DeviceAnswerResult } | { kind: 'retry'; reason: string; retryAfterMs: number };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const statuses: readonly string[] = ['pending', 'approved', 'denied', 'expired'] satisfies PushTransactionStatus[];

/** One POST to one gateway, classified. Never throws. */
async function tryAnswer(gateway: string, body: DeviceAnswerBody, timeoutMs: number, tries: number): Promise<TryResult> {
  let response: Response;
  try {
    response = await fetch(`${gateway}/trpc/push.deviceAnswer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
    const code = typeof cause?.code === 'string' ? cause.code : error instanceof Error ? error.name : 'unknown';
    return { kind: 'retry', reason: code, retryAfterMs: 0 };
  }
  const json = (await response.json().catch(() => null)) as {
    result?: { data?: { status?: unknown; reason?: unknown } };
    error?: { data?: { holdfastCode?: unknown; retryAfterSeconds?: unknown } };
  } | null;
  if (response.ok) {
    const data = json?.result?.data;
    if (typeof data?.status === 'string' && statuses.includes(data.status)) {
      return {
        kind: 'final',
        result: { kind: 'answered', status: data.status as PushTransactionStatus, reason: typeof data.reason === 'string' ? data.reason : '', gateway, tries },
      };
    }
    return { kind: 'final', result: { kind: 'error', detail: `${gateway} 200 without a status`, tries } };
  }
  const code = typeof json?.error?.data?.holdfastCode === 'string' ? json.error.data.holdfastCode : String(response.status);
  // Refused before any work (flood shield, admission queue) or a gateway waiting out a failover: try again elsewhere.
  if (response.status >= 500 || response.status === 429) {
    const seconds = json?.error?.data?.retryAfterSeconds;
    return { kind: 'retry', reason: `${response.status} ${code}`, retryAfterMs: typeof seconds === 'number' ? Math.min(seconds, 5) * 1000 : 0 };
  }
  return { kind: 'final', result: { kind: 'refused', code, gateway, tries } };
}

/**
 * Sends one signed answer, trying `gateways` in order (the caller puts other regions first) and
 * walking the list again on refused connections, timeouts, 429 and 5xx, within `deadlineMs`.
 * Re-sending the same signed answer is safe: the gateway answers a device's repeated answer with
 * the recorded outcome, never a second transition.
 */
export async function sendDeviceAnswer(options: {
  gateways: readonly string[];
  body: DeviceAnswerBody;
  deadlineMs: number;
  /** Per try: a little above the gateways' own request deadline, so a gateway waiting on a failover can still answer. */
  tryTimeoutMs: number;
  maxPasses: number;
}): Promise<DeviceAnswerResult> {
  const deadline = Date.now() + options.deadlineMs;
  const failures: string[] = [];
  let tries = 0;
  for (let pass = 0; pass < options.maxPasses && Date.now() < deadline; pass += 1) {
    if (pass > 0) await sleep(Math.min(250 * pass, Math.max(0, deadline - Date.now())));
    for (const gateway of options.gateways) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      tries += 1;
      const outcome = await tryAnswer(gateway, options.body, Math.min(remaining, options.tryTimeoutMs), tries);
      if (outcome.kind === 'final') return outcome.result;
      failures.push(`${gateway} ${outcome.reason}`);
      if (outcome.retryAfterMs > 0) await sleep(Math.min(outcome.retryAfterMs, Math.max(0, deadline - Date.now())));
    }
  }
  return { kind: 'error', detail: failures.slice(-6).join('; '), tries };
}
