// Push logins in the drill mix: the relying app begins a push through the SDK (any gateway, with
// failover), the simulated phone approves through a gateway in another region, and the app learns
// the result with the long-poll. Some logins answer on purpose after their transaction expired.
import type { PushTransactionStatus } from '@holdfast/core';
import { createHoldfastClient, HoldfastApiError, HoldfastUnavailableError, type HoldfastClient } from '@holdfast/sdk';
import { randomInt, randomUUID } from 'node:crypto';
import { describeTries } from './load';
import { sendDeviceAnswer, signDeviceAnswer, type DeviceAnswerBody, type DeviceAnswerResult } from './push-device';
import type { DrillPushApplication, DrillPushSeed, DrillPushUser } from './push-seed';

export interface DrillGateway {
  url: string;
  region: string;
}

/** One push login as the drill saw it: begun (and where), the device's acknowledgement, what the app saw. */
export interface PushLogin {
  /** `prompt`: answered within a few seconds; `late`: answered after the transaction's TTL, on purpose. */
  kind: 'prompt' | 'late';
  attemptId: string;
  userId: string;
  transactionId: string | null;
  /** The region whose gateway the SDK asked first (its failover may have moved on: the push.begun audit row says where it landed). */
  homeRegion: string;
  /** ms since the drill started */
  startMs: number;
  begunMs: number | null;
  beginError: string | null;
  /** Users skipped before this one (PUSH_PENDING / PUSH_LIMIT_REACHED): the one-pending and N-per-window limits at work. */
  beginRefusals: string[];
  answerSentMs: number | null;
  answer: {
    kind: DeviceAnswerResult['kind'];
    /** The status the device was told (answered), else null. */
    status: PushTransactionStatus | null;
    /** The reason (answered), the refusal code, or what failed. */
    detail: string;
    gateway: string | null;
    region: string | null;
    tries: number;
    endMs: number;
  } | null;
  appStatus: PushTransactionStatus | null;
  appReason: string | null;
  appStatusMs: number | null;
  appError: string | null;
}

/** An acknowledged approval sent again after the run: refused or the recorded outcome, never a second transition. */
export interface PushResend {
  transactionId: string;
  signature: 'same' | 'fresh';
  /** `same-outcome`: the gateway answered `approved` (the recorded outcome); `changed`: any other status (a second transition). */
  outcome: 'refused' | 'same-outcome' | 'changed' | 'error';
  detail: string;
}

export interface PushLoadOptions {
  gateways: DrillGateway[];
  seed: DrillPushSeed;
  /** The gateways' HOLDFAST_PUSH_PUBLIC_URL: the origin in every signature's audience. */
  pushOrigin: string;
  deadlineMs: number;
  /** SDK hedging for begins, as the TOTP load's (0 = off). */
  hedgeAfterMs: number;
  sinceStart: () => number;
  /** The person reading the number and typing it (uniform, bounded). */
  answerDelayMs?: { min: number; max: number };
  /** Late answers: this long after the begin was acknowledged (past the 15 s TTL). */
  lateAnswerAfterMs?: { min: number; max: number };
  /** The app's long-poll (verify.pushStatus waitMs). */
  statusWaitMs?: number;
}

export interface PushLoad {
  /** One prompt push login; never rejects (everything is recorded). */
  runLogin: () => Promise<void>;
  /** `count` late logins spread over `overMs`; never rejects. */
  runLateLogins: (count: number, overMs: number) => Promise<void>;
  logins: () => PushLogin[];
  /** Transactions whose device was told `approved`, in the order they were. */
  acknowledgedApprovals: () => string[];
  /** Re-sends these acknowledged approvals, each with its own signature and with a fresh one. */
  resendApprovals: (transactionIds: string[]) => Promise<PushResend[]>;
  close: () => void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const between = (range: { min: number; max: number }): number => range.min + randomInt(Math.max(1, range.max - range.min + 1));

function describe(error: unknown): string {
  if (error instanceof HoldfastApiError) return error.code;
  if (error instanceof HoldfastUnavailableError) return `unavailable (${describeTries(error)})`;
  return error instanceof Error ? error.name : 'unknown';
}

/** Per gateway: an SDK client that asks that gateway first, then its region, then the others (the SDK reorders only by readiness and latency). */
function clientsByHome(gateways: DrillGateway[], apiKey: string, deadlineMs: number, hedgeAfterMs: number): { home: DrillGateway; client: HoldfastClient }[] {
  return gateways.map((home) => {
    const ordered = [home, ...gateways.filter((g) => g !== home && g.region === home.region), ...gateways.filter((g) => g.region !== home.region)];
    return {
      home,
      client: createHoldfastClient({
        gateways: ordered.map((g) => g.url),
        apiKey,
        deadlineMs,
        // As the TOTP load: a gateway waiting out a failover gets half the deadline; a dead one is left at once.
        tryTimeoutMs: Math.ceil(deadlineMs / 2),
        // As the TOTP load too: /readyz probes (a cut-off gateway goes to the back of the order, and
        // the SDK learns each gateway's region) and hedging to another region. The home gateway stays
        // first while it answers as fast as the others (the SDK prefers the last one that answered).
        ...(hedgeAfterMs > 0 ? { hedgeAfterMs } : {}),
      }),
    };
  });
}

export function createPushLoad(options: PushLoadOptions): PushLoad {
  const answerDelay = options.answerDelayMs ?? { min: 500, max: 2_000 };
  const lateAfter = options.lateAnswerAfterMs ?? { min: 16_000, max: 17_000 };
  const statusWaitMs = options.statusWaitMs ?? 4_000;
  const { gateways, sinceStart } = options;
  if (gateways.length === 0) throw new Error('the push load needs gateways');
  const regionOf = new Map(gateways.map((g) => [g.url, g.region]));
  // The SDK's pushStatus adds waitMs to its deadline and per-try timeout itself.
  const clients = {
    main: clientsByHome(gateways, options.seed.main.apiKey, options.deadlineMs, options.hedgeAfterMs),
    late: clientsByHome(gateways, options.seed.late.apiKey, options.deadlineMs, options.hedgeAfterMs),
  };
  const logins: PushLogin[] = [];
  const answers = new Map<string, { body: DeviceAnswerBody; user: DrillPushUser; application: DrillPushApplication; number: string }>();
  let counter = 0;

  /** Other regions' gateways first (rotated, so answers spread), the begin region's last: where possible, another region. */
  const answerGateways = (homeRegion: string, n: number): string[] => {
    const others = gateways.filter((g) => g.region !== homeRegion);
    const rotated = others.length === 0 ? [] : [...others.slice(n % others.length), ...others.slice(0, n % others.length)];
    return [...rotated, ...gateways.filter((g) => g.region === homeRegion)].map((g) => g.url);
  };

  const answer = async (login: PushLogin, body: DeviceAnswerBody, n: number): Promise<DeviceAnswerResult> => {
    login.answerSentMs = sinceStart();
    const result = await sendDeviceAnswer({
      gateways: answerGateways(login.homeRegion, n),
      body,
      // A signed answer is good for the gateway's clock skew (30 s): re-sends of the same bytes stay inside it.
      deadlineMs: 25_000,
      tryTimeoutMs: 13_000,
      maxPasses: 4,
    });
    const gateway = result.kind === 'error' ? null : result.gateway;
    login.answer = {
      kind: result.kind,
      status: result.kind === 'answered' ? result.status : null,
      detail: result.kind === 'answered' ? result.reason : result.kind === 'refused' ? result.code : result.detail,
      gateway,
      region: gateway === null ? null : (regionOf.get(gateway) ?? null),
      tries: result.tries,
      endMs: sinceStart(),
    };
    return result;
  };

  /** The relying app's long-poll, until the transaction is decided or `untilMs` (ms since start) passes. */
  const pollStatus = async (login: PushLogin, client: HoldfastClient, transactionId: string, untilMs: number): Promise<void> => {
    do {
      try {
        const status = await client.pushStatus({ transactionId, waitMs: statusWaitMs });
        login.appStatus = status.status;
        login.appReason = status.reason;
        login.appStatusMs = sinceStart();
        login.appError = null;
        if (status.status !== 'pending') return;
      } catch (error) {
        login.appError = describe(error);
        await sleep(250);
      }
    } while (sinceStart() < untilMs);
  };

  const begin = async (
    login: PushLogin,
    application: DrillPushApplication,
    client: HoldfastClient,
  ): Promise<{ user: DrillPushUser; transactionId: string; number: string } | null> => {
    for (let tryUser = 0; tryUser < 3; tryUser += 1) {
      const now = sinceStart();
      const user = application.users.find((u) => u.busyUntilMs <= now);
      if (user === undefined) {
        login.beginError = 'no free push user';
        return null;
      }
      user.busyUntilMs = Number.POSITIVE_INFINITY; // one push in flight per user
      login.userId = user.userId;
      login.attemptId = randomUUID();
      try {
        const result = await client.pushBegin({ userId: user.userId, attemptId: login.attemptId });
        login.transactionId = result.transactionId;
        login.begunMs = sinceStart();
        return { user, transactionId: result.transactionId, number: result.number };
      } catch (error) {
        const code = describe(error);
        if (code === 'PUSH_PENDING' || code === 'PUSH_LIMIT_REACHED') {
          // Another push of this user's is still pending (an in-doubt begin?) or its window is spent: use another user.
          login.beginRefusals.push(code);
          user.busyUntilMs = sinceStart() + (code === 'PUSH_PENDING' ? application.ttlSeconds * 1000 : 1_000);
          continue;
        }
        login.beginError = code;
        // A begin that failed in doubt may have committed a pending transaction: leave the user until it expires.
        user.busyUntilMs = sinceStart() + application.ttlSeconds * 1000 + 2_000;
        return null;
      }
    }
    login.beginError ??= 'every user tried was refused';
    return null;
  };

  const newLogin = (kind: PushLogin['kind'], homeRegion: string): PushLogin => {
    const login: PushLogin = {
      kind,
      attemptId: '',
      userId: '',
      transactionId: null,
      homeRegion,
      startMs: sinceStart(),
      begunMs: null,
      beginError: null,
      beginRefusals: [],
      answerSentMs: null,
      answer: null,
      appStatus: null,
      appReason: null,
      appStatusMs: null,
      appError: null,
    };
    logins.push(login);
    return login;
  };

  const runOne = async (kind: PushLogin['kind']): Promise<void> => {
    const n = counter;
    counter += 1;
    const application = kind === 'prompt' ? options.seed.main : options.seed.late;
    const pool = kind === 'prompt' ? clients.main : clients.late;
    const entry = pool[n % pool.length];
    const statusEntry = pool[(n + 1) % pool.length];
    if (entry === undefined || statusEntry === undefined) return;
    const login = newLogin(kind, entry.home.region);
    const begun = await begin(login, application, entry.client);
    if (begun === null) return;
    const { user, transactionId, number } = begun;
    const begunAt = sinceStart();
    const expiresAtMs = begunAt + application.ttlSeconds * 1000;
    try {
      await sleep(kind === 'prompt' ? between(answerDelay) : begunAt + between(lateAfter) - sinceStart());
      const body = signDeviceAnswer({
        privateKey: user.privateKey,
        deviceId: user.deviceId,
        transactionId,
        typedNumber: number,
        decision: 'approve',
        pushOrigin: options.pushOrigin,
        applicationId: application.applicationId,
      });
      const result = await answer(login, body, n);
      if (result.kind === 'answered' && result.status === 'approved') answers.set(transactionId, { body, user, application, number });
      // The app waits for the decision when the device got one; otherwise it looks once (the push stays pending until it expires).
      const isAcknowledged = result.kind === 'answered';
      await pollStatus(login, statusEntry.client, transactionId, isAcknowledged ? expiresAtMs + 10_000 : 0);
    } finally {
      // Free the user once its push is decided; else when the pending transaction has surely expired.
      user.busyUntilMs = login.appStatus !== null && login.appStatus !== 'pending' ? 0 : expiresAtMs + 2_000;
    }
  };

  return {
    runLogin: () => runOne('prompt'),
    runLateLogins: async (count, overMs) => {
      const spacing = count === 0 ? 0 : overMs / count;
      await Promise.all(
        Array.from({ length: count }, async (_, i) => {
          await sleep(spacing * (i + 0.5));
          await runOne('late');
        }),
      );
    },
    logins: () => logins,
    acknowledgedApprovals: () => [...answers.keys()],
    resendApprovals: async (transactionIds) => {
      const resends: PushResend[] = [];
      for (const [index, transactionId] of transactionIds.entries()) {
        const sent = answers.get(transactionId);
        if (sent === undefined) continue;
        const fresh = signDeviceAnswer({
          privateKey: sent.user.privateKey,
          deviceId: sent.user.deviceId,
          transactionId,
          typedNumber: sent.number,
          decision: 'approve',
          pushOrigin: options.pushOrigin,
          applicationId: sent.application.applicationId,
        });
        for (const [signature, body] of [
          ['same', sent.body],
          ['fresh', fresh],
        ] as const) {
          const result = await sendDeviceAnswer({
            gateways: answerGateways(gateways[index % gateways.length]?.region ?? '', index),
            body,
            deadlineMs: 20_000,
            tryTimeoutMs: 13_000,
            maxPasses: 3,
          });
          resends.push({
            transactionId,
            signature,
            outcome: result.kind === 'refused' ? 'refused' : result.kind === 'error' ? 'error' : result.status === 'approved' ? 'same-outcome' : 'changed',
            detail: result.kind === 'answered' ? `${result.status} ${result.reason}` : result.kind === 'refused' ? result.code : result.detail,
          });
        }
      }
      return resends;
    },
    close: () => {
      for (const { client } of [...clients.main, ...clients.late]) client.close();
    },
  };
}
