// The drill's load generator: verifications through the SDK at a fixed rate, every one recorded.
import { generateTotpCode, timeStepAt } from '@holdfast/core';
import { createHoldfastClient, HoldfastApiError, HoldfastUnavailableError, type HoldfastClient } from '@holdfast/sdk';
import { randomUUID } from 'node:crypto';
import type { DrillUser } from './seed';

export interface DrillRequest {
  kind: 'fresh' | 'replay';
  factor: 'totp' | 'recovery_code';
  attemptId: string;
  userId: string;
  code: string;
  /** ms since the drill started */
  startMs: number;
  endMs: number;
  outcome: 'accepted' | 'rejected' | 'error';
  reason: string | null;
  gatewayId: string | null;
  /** For a request that failed: what each gateway tried said. */
  detail?: string;
}

/** The drill users' TOTP parameters (seeded with SHA1, 6 digits, 30 s). */
export const totpParams = { algorithm: 'SHA1' as const, digits: 6 as const, period: 30 };

export interface LoadOptions {
  gateways: string[];
  apiKey: string;
  users: DrillUser[];
  ratePerSecond: number;
  durationMs: number;
  deadlineMs: number;
  sinceStart: () => number;
  /** Every n-th acknowledged success is immediately re-submitted with a new attempt id. */
  replayEvery: number;
  /** SDK hedging: after this long without an answer, also ask a gateway in another region (0 = off). */
  hedgeAfterMs: number;
  /** Every n-th request is a push login instead (push-load.ts); it records itself and never rejects. */
  push?: { every: number; runLogin: () => Promise<void> };
}

/**
 * How often a recovery code is sent: every tenth request, or more rarely when the seeded codes would
 * run out before the load ends. The mix must stay the same from the first second to the last: a
 * recovery code costs one scrypt (~70 ms of CPU here), some 30 TOTP checks, so 200 codes spent at
 * one in ten during a soak's first 13 s made that start an overload of its own (minute-1 p99 in
 * seconds) and the rest of the soak a different, TOTP-only load.
 */
export function recoveryEvery(options: { ratePerSecond: number; durationMs: number; codes: number }): number {
  if (options.codes <= 0) return Number.POSITIVE_INFINITY;
  const requests = (options.ratePerSecond * options.durationMs) / 1000;
  return Math.max(10, Math.ceil(requests / options.codes));
}

/**
 * Sends `ratePerSecond` verifications for `durationMs`, each with a fresh valid TOTP code (one per
 * user per 30 s step) or, at an even share (`recoveryEvery`), an unused recovery code; re-submits
 * some accepted codes at once as replays. Resolves when every request has its answer.
 */
export async function runLoad(options: LoadOptions): Promise<DrillRequest[]> {
  const client = createHoldfastClient({
    gateways: options.gateways,
    apiKey: options.apiKey,
    deadlineMs: options.deadlineMs,
    // A gateway waiting out a failover is as good as any other (they all wait on the same
    // database), so a try gets half the deadline; a dead gateway is left at once (refused).
    tryTimeoutMs: Math.ceil(options.deadlineMs / 2),
    ...(options.hedgeAfterMs > 0 ? { hedgeAfterMs: options.hedgeAfterMs } : {}),
  });
  const requests: DrillRequest[] = [];
  const inFlight: Promise<void>[] = [];
  let accepted = 0;
  let sent = 0;

  const send = async (request: Omit<DrillRequest, 'endMs' | 'outcome' | 'reason' | 'gatewayId'>): Promise<void> => {
    const entry = await sendVerification(client, request, options.sinceStart);
    requests.push(entry);
    if (entry.kind === 'fresh' && entry.outcome === 'accepted') {
      accepted += 1;
      if (accepted % options.replayEvery === 0) {
        inFlight.push(send({ ...request, kind: 'replay', attemptId: randomUUID(), startMs: options.sinceStart() }));
      }
    }
  };

  const intervalMs = 1000 / options.ratePerSecond;
  const started = options.sinceStart();
  let recoveryCursor = 0;
  const withRecovery = options.users.filter((u) => u.recoveryCodes.length > 0);
  const everyNth = recoveryEvery({
    ratePerSecond: options.ratePerSecond,
    durationMs: options.durationMs,
    codes: withRecovery.reduce((sum, u) => sum + u.recoveryCodes.length, 0),
  });
  while (options.sinceStart() - started < options.durationMs) {
    const due = started + sent * intervalMs;
    const wait = due - options.sinceStart();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sent += 1;
    // Offset by one so the push share never takes the recovery-code slots (every tenth).
    if (options.push !== undefined && options.push.every > 0 && sent % options.push.every === 1 % options.push.every) {
      inFlight.push(options.push.runLogin());
      continue;
    }
    if (sent % everyNth === 0 && withRecovery.length > 0) {
      const user = withRecovery[recoveryCursor % withRecovery.length];
      recoveryCursor += 1;
      const code = user?.recoveryCodes.shift();
      if (user !== undefined && code !== undefined) {
        inFlight.push(send({ kind: 'fresh', factor: 'recovery_code', attemptId: randomUUID(), userId: user.userId, code, startMs: options.sinceStart() }));
        continue;
      }
    }
    const step = timeStepAt({ at: new Date(), period: 30 });
    const user = options.users.find((u) => u.lastStep < step);
    if (user === undefined) throw new Error('not enough drill users for this rate: raise --users');
    user.lastStep = step;
    const code = await generateTotpCode({ secret: user.secret, params: totpParams, at: new Date(step * 30_000 + 1) });
    inFlight.push(send({ kind: 'fresh', factor: 'totp', attemptId: randomUUID(), userId: user.userId, code, startMs: options.sinceStart() }));
  }
  // Replays can be added while we wait: settle until nothing new appears.
  for (let settled = 0; settled < inFlight.length;) {
    const batch = inFlight.slice(settled);
    settled = inFlight.length;
    await Promise.all(batch);
  }
  return requests;
}

/** After the disruption: re-submit every accepted code that is still inside its time window. */
export async function replayAccepted(options: {
  gateways: string[];
  apiKey: string;
  requests: DrillRequest[];
  deadlineMs: number;
  sinceStart: () => number;
}): Promise<DrillRequest[]> {
  const client = createHoldfastClient({ gateways: options.gateways, apiKey: options.apiKey, deadlineMs: options.deadlineMs });
  const candidates = options.requests.filter((r) => r.kind === 'fresh' && r.outcome === 'accepted');
  // A bounded number at a time: a 10-minute soak accepts tens of thousands of codes, and all of them
  // at once opened a socket each until the drill ran out of file descriptors (EMFILE at 20,000).
  const replays: DrillRequest[] = new Array<DrillRequest>(candidates.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < candidates.length; i = next++) {
      const original = candidates[i];
      if (original === undefined) continue;
      replays[i] = await sendVerification(client, { ...original, kind: 'replay', attemptId: randomUUID(), startMs: options.sinceStart() }, options.sinceStart);
    }
  };
  await Promise.all(Array.from({ length: Math.min(replayConcurrency, candidates.length) }, worker));
  return replays;
}

/** Replays in flight at once after the load (a drill's few hundred finish in a second or two). */
const replayConcurrency = 64;

/** One verification through the SDK, recorded with its outcome, or the error and what each gateway said. */
async function sendVerification(
  client: HoldfastClient,
  request: Omit<DrillRequest, 'endMs' | 'outcome' | 'reason' | 'gatewayId'>,
  sinceStart: () => number,
): Promise<DrillRequest> {
  const entry: DrillRequest = { ...request, endMs: -1, outcome: 'error', reason: null, gatewayId: null };
  try {
    const result =
      request.factor === 'totp'
        ? await client.verifyTotp({ userId: request.userId, code: request.code, attemptId: request.attemptId })
        : await client.verifyRecoveryCode({ userId: request.userId, code: request.code, attemptId: request.attemptId });
    entry.outcome = result.outcome;
    entry.reason = result.reason;
    entry.gatewayId = result.gatewayId;
  } catch (error) {
    entry.reason = error instanceof HoldfastApiError ? error.code : error instanceof Error ? error.name : 'unknown';
    if (error instanceof HoldfastUnavailableError) entry.detail = describeTries(error);
  }
  entry.endMs = sinceStart();
  return entry;
}

/**
 * Where an unavailable call's deadline went, every try in order: `+3.0 s hedge 198.18.0.12:4121
 * GATEWAY_OVERLOADED after 0.0 s` (a failed call's report must say which gateways it waited on).
 */
export function describeTries(error: HoldfastUnavailableError): string {
  const seconds = (ms: number): string => (ms / 1000).toFixed(1);
  return error.tries
    .map((t) => `+${seconds(t.atMs)} s ${t.isHedge ? 'hedge ' : ''}${t.gateway.replace(/^https?:\/\//, '')} ${t.reason} after ${seconds(t.ms)} s`)
    .join('; ');
}
