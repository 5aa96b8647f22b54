import type { AppRouter } from '@holdfast/api';
import type { FactorKind, VerificationResult } from '@holdfast/validators';
import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import { randomUUID } from 'node:crypto';
import { GatewayRotation } from './failover';
import { createTransport, type Transport } from './transport';
import type {
  PreauthResult,
  PushBeginResult,
  PushContext,
  PushStatusResult,
  WebauthnAuthenticationResponse,
  WebauthnBeginResult,
  WebauthnRegistrationBeginResult,
  WebauthnRegistrationResponse,
} from './public-types';

export type {
  PreauthResult,
  PushBeginResult,
  PushContext,
  PushStatusResult,
  PushTransactionStatus,
  WebauthnAuthenticationResponse,
  WebauthnBeginResult,
  WebauthnRegistrationBeginResult,
  WebauthnRegistrationResponse,
} from './public-types';

export interface HoldfastClientOptions {
  /** Gateway base URLs (e.g. `http://127.0.0.1:4000`), preferred first — usually the nearest region. */
  gateways: readonly string[];
  /** The application's API key, `hf_…`. */
  apiKey: string;
  /** Total time per call across all gateways and retries. Default 5000 ms. */
  deadlineMs?: number;
  /** The most one try on one gateway may take before the next gateway is asked. Default: deadlineMs / 3. */
  tryTimeoutMs?: number;
  /**
   * How often to probe each gateway's /readyz to prefer ready, fast gateways and leave out those that
   * do not answer. Default 2000 ms (a cut-off region is known within ~2–4 s); 0 turns probing off.
   */
  probeIntervalMs?: number;
  /** Send a verification that has no answer after this long to a gateway in another region too (same attempt id). Off by default. */
  hedgeAfterMs?: number;
}

/** pushBegin's per-try floor: the gateway waits up to 1.5 s for the Web Push requests. */
const pushBeginTryTimeoutMs = 2500;

type LinkFetch = NonNullable<Parameters<typeof httpLink>[0]['fetch']>;

function createGatewayClients(
  gateways: readonly string[],
  bearer: () => string | null,
  transport: Transport,
): { url: string; client: TRPCClient<AppRouter> }[] {
  // httpLink passes its URL as a string and its JSON body as a string (what the transport sends).
  const fetch = ((url: string, init?: Parameters<Transport>[1]) => transport(url, init)) as unknown as LinkFetch;
  return gateways.map((url) => ({
    url,
    client: createTRPCClient<AppRouter>({
      links: [
        httpLink({
          url: `${url.replace(/\/$/, '')}/trpc`,
          fetch,
          headers: () => {
            const token = bearer();
            return token === null ? {} : { authorization: `Bearer ${token}` };
          },
        }),
      ],
    }),
  }));
}

/**
 * The client a relying application uses. Every verification carries an attempt id (generated if
 * not given) and is re-sent with the same id when a gateway fails, so a retry returns the first
 * outcome and can never be reported as a replay.
 */
export function createHoldfastClient(options: HoldfastClientOptions) {
  const transport = createTransport();
  const rotation = new GatewayRotation(
    createGatewayClients(options.gateways, () => options.apiKey, transport),
    {
      probeIntervalMs: options.probeIntervalMs ?? 2_000,
      transport,
    },
  );
  const deadlineMs = options.deadlineMs ?? 5_000;
  const tryTimeoutMs = options.tryTimeoutMs ?? Math.ceil(deadlineMs / 3);
  const hedge = options.hedgeAfterMs === undefined ? {} : { hedgeAfterMs: options.hedgeAfterMs };
  return {
    preauth: (input: { userId: string }): Promise<PreauthResult> =>
      rotation.run({ deadlineMs, tryTimeoutMs, policy: 'retry-anywhere', call: (c, signal) => c.preauth.query(input, { signal }) }),

    createEnrollmentLink: (input: { userId: string; ttlSeconds?: number }) =>
      rotation.run({ deadlineMs, tryTimeoutMs, policy: 'retry-if-unsent', call: (c, signal) => c.enrollment.createLink.mutate(input, { signal }) }),

    verifyTotp: (input: { userId: string; code: string; factorId?: string; attemptId?: string }): Promise<VerificationResult> => {
      const request = { ...input, attemptId: input.attemptId ?? randomUUID() };
      return rotation.run({ deadlineMs, tryTimeoutMs, ...hedge, policy: 'retry-anywhere', call: (c, signal) => c.verify.totp.mutate(request, { signal }) });
    },

    verifyRecoveryCode: (input: { userId: string; code: string; attemptId?: string }): Promise<VerificationResult> => {
      const request = { ...input, attemptId: input.attemptId ?? randomUUID() };
      return rotation.run({
        deadlineMs,
        tryTimeoutMs,
        ...hedge,
        policy: 'retry-anywhere',
        call: (c, signal) => c.verify.recoveryCode.mutate(request, { signal }),
      });
    },

    /**
     * A one-time bypass code an admin issued the user (your webhook hears `bypass.issued`): it works
     * once and expires; the same attempt id on every retry, like verifyTotp.
     */
    verifyBypassCode: (input: { userId: string; code: string; attemptId?: string }): Promise<VerificationResult> => {
      const request = { ...input, attemptId: input.attemptId ?? randomUUID() };
      return rotation.run({
        deadlineMs,
        tryTimeoutMs,
        ...hedge,
        policy: 'retry-anywhere',
        call: (c, signal) => c.verify.bypassCode.mutate(request, { signal }),
      });
    },

    /**
     * Starts a WebAuthn login: pass `options` to the browser (`startAuthentication({ optionsJSON })`)
     * and keep `challengeId` for `webauthnFinish`, which any gateway can answer.
     */
    webauthnBegin: (input: { userId: string }): Promise<WebauthnBeginResult> =>
      rotation.run({
        deadlineMs,
        tryTimeoutMs,
        policy: 'retry-if-unsent',
        call: (c, signal) => c.verify.webauthnBegin.mutate(input, { signal }),
      }) as Promise<WebauthnBeginResult>, // the options JSON as the gateway built it (see public-types.ts)

    /** Finishes it with the browser's assertion; the same attempt id on every retry, like verifyTotp. */
    webauthnFinish: (input: {
      userId: string;
      challengeId: string;
      response: WebauthnAuthenticationResponse;
      attemptId?: string;
    }): Promise<VerificationResult> => {
      const request = { ...input, attemptId: input.attemptId ?? randomUUID() };
      return rotation.run({
        deadlineMs,
        tryTimeoutMs,
        ...hedge,
        policy: 'retry-anywhere',
        call: (c, signal) => c.verify.webauthnFinish.mutate(request, { signal }),
      });
    },

    /**
     * Hosted verification: send the user to `url` (Holdfast's page). They come back to `callbackUrl`
     * (one of the application's registered ones; https, or http on localhost) with
     * `?code=<one-time code>&state=<state>`. `state` is required: bind it to the user's session and
     * check it on the callback. `allowedFactorKinds` limits what the page offers and accepts.
     */
    createTransaction: (input: { userId: string; callbackUrl: string; state: string; allowedFactorKinds?: FactorKind[] }) =>
      rotation.run({ deadlineMs, tryTimeoutMs, policy: 'retry-if-unsent', call: (c, signal) => c.hosted.createTransaction.mutate(input, { signal }) }),

    /**
     * Exchange the callback's `code` for the result, from your server: once only, within a minute,
     * for this application only, and only for `userId` — the user whose session started the
     * verification (another user's code is refused, and spent). The result carries a signed receipt.
     */
    redeemResult: (input: { code: string; userId: string }) =>
      rotation.run({ deadlineMs, tryTimeoutMs, policy: 'retry-if-unsent', call: (c, signal) => c.hosted.redeemResult.mutate(input, { signal }) }),

    /** Revoke one of a user's factors (lost device, offboarding); idempotent. */
    revokeFactor: (input: { userId: string; factorId: string }) =>
      rotation.run({ deadlineMs, tryTimeoutMs, policy: 'retry-anywhere', call: (c, signal) => c.factors.revoke.mutate(input, { signal }) }),

    /**
     * Push approval: sends a push to the user's paired phones and returns the number to show on the
     * login screen (the user types it on the phone). The attempt id (generated if not given) makes
     * it idempotent: a retry on another gateway gets the same transaction (`replayed: true`).
     * Refusals: PUSH_PENDING, PUSH_LIMIT_REACHED, PUSH_SUSPENDED (`retryAfterMs` on the error),
     * FACTOR_NOT_FOUND (no paired phone).
     */
    pushBegin: (input: { userId: string; attemptId?: string; context?: PushContext }): Promise<PushBeginResult> => {
      const request = { ...input, attemptId: input.attemptId ?? randomUUID() };
      return rotation.run({
        deadlineMs,
        // The gateway may wait up to ~1.5 s on slow push services before answering.
        tryTimeoutMs: Math.max(tryTimeoutMs, pushBeginTryTimeoutMs),
        // Idempotent by attempt id, so it may hedge like a verification: a begin sent as a region
        // was cut off waited out its try on a gateway that was only waiting for the new primary,
        // then its whole second try on the cut-off one (the partition drill's one failed push login).
        ...hedge,
        policy: 'retry-anywhere',
        call: (c, signal) => c.verify.pushBegin.mutate(request, { signal }),
      });
    },

    /**
     * A push transaction's status by `transactionId` or `attemptId`, from any gateway. With `waitMs`
     * (≤ 25 000) the gateway answers as soon as it is decided (long-poll); each try, and the call's
     * deadline, are extended by `waitMs` so the wait itself is never taken for a dead gateway.
     */
    pushStatus: (input: { transactionId: string; waitMs?: number } | { attemptId: string; waitMs?: number }): Promise<PushStatusResult> => {
      const waitMs = input.waitMs ?? 0;
      return rotation.run({
        deadlineMs: deadlineMs + waitMs,
        tryTimeoutMs: tryTimeoutMs + waitMs,
        policy: 'retry-anywhere',
        call: (c, signal) => c.verify.pushStatus.query(input, { signal }),
      });
    },

    /** Probe every gateway's /readyz now (also done every probeIntervalMs). */
    refreshHealth: () => rotation.probe(),
    /** Stop the background health probes. */
    close: () => {
      rotation.close();
    },

    /** The recorded outcome of an attempt id (e.g. after losing a reply). */
    status: (input: { attemptId: string }): Promise<VerificationResult> =>
      rotation.run({ deadlineMs, tryTimeoutMs, policy: 'retry-anywhere', call: (c, signal) => c.verify.status.query(input, { signal }) }),
  };
}

export type HoldfastClient = ReturnType<typeof createHoldfastClient>;

/**
 * The end user's side of enrollment (what the enrollment portal calls): redeem the one-time link,
 * then enroll TOTP and recovery codes with the session it returns.
 */
export function createEnrollmentClient(options: { gateways: readonly string[]; deadlineMs?: number }) {
  let session: string | null = null;
  const transport = createTransport();
  const rotation = new GatewayRotation(
    createGatewayClients(options.gateways, () => session, transport),
    { transport },
  );
  const deadlineMs = options.deadlineMs ?? 5_000;
  const tryTimeoutMs = deadlineMs;
  return {
    redeem: async (token: string) => {
      const result = await rotation.run({
        deadlineMs,
        tryTimeoutMs,
        policy: 'retry-if-unsent',
        call: (c, signal) => c.enrollment.redeem.mutate({ token }, { signal }),
      });
      session = result.sessionToken;
      return result;
    },
    beginTotp: (input: { label?: string; algorithm?: 'SHA1' | 'SHA256' | 'SHA512'; digits?: 6 | 8 } = {}) =>
      rotation.run({ deadlineMs, tryTimeoutMs, policy: 'retry-if-unsent', call: (c, signal) => c.totp.beginEnrollment.mutate(input, { signal }) }),
    confirmTotp: (input: { factorId: string; code: string }) =>
      rotation.run({ deadlineMs, tryTimeoutMs, policy: 'retry-if-unsent', call: (c, signal) => c.totp.confirmEnrollment.mutate(input, { signal }) }),
    /** Options for the browser's `startRegistration({ optionsJSON })`, and the challenge id to finish with. */
    beginWebauthnRegistration: (): Promise<WebauthnRegistrationBeginResult> =>
      rotation.run({
        deadlineMs,
        tryTimeoutMs,
        policy: 'retry-if-unsent',
        call: (c, signal) => c.webauthn.beginRegistration.mutate(undefined, { signal }),
      }) as Promise<WebauthnRegistrationBeginResult>,
    finishWebauthnRegistration: (input: { challengeId: string; response: WebauthnRegistrationResponse; label?: string }) =>
      rotation.run({ deadlineMs, tryTimeoutMs, policy: 'retry-if-unsent', call: (c, signal) => c.webauthn.finishRegistration.mutate(input, { signal }) }),
    factors: () => rotation.run({ deadlineMs, tryTimeoutMs, policy: 'retry-anywhere', call: (c, signal) => c.enrollment.factors.query(undefined, { signal }) }),
    renameFactor: (input: { factorId: string; label: string }) =>
      rotation.run({ deadlineMs, tryTimeoutMs, policy: 'retry-anywhere', call: (c, signal) => c.enrollment.renameFactor.mutate(input, { signal }) }),
    /** Removing the last active factor needs `code`, a current code from it (else FRESH_VERIFICATION_REQUIRED). */
    removeFactor: (input: { factorId: string; code?: string }) =>
      rotation.run({ deadlineMs, tryTimeoutMs, policy: 'retry-if-unsent', call: (c, signal) => c.enrollment.removeFactor.mutate(input, { signal }) }),
    generateRecoveryCodes: () =>
      rotation.run({ deadlineMs, tryTimeoutMs, policy: 'retry-if-unsent', call: (c, signal) => c.recoveryCodes.generate.mutate(undefined, { signal }) }),
    /** Whether the session must step up (verify a current factor) before changing factors. */
    session: () => rotation.run({ deadlineMs, tryTimeoutMs, policy: 'retry-anywhere', call: (c, signal) => c.enrollment.session.query(undefined, { signal }) }),
    /** Step-up: verifies one of the user's factors (counted like a sign-in); on acceptance, changes are allowed for 5 minutes. */
    stepUpTotp: (input: { code: string; factorId?: string }) =>
      rotation.run({ deadlineMs, tryTimeoutMs, policy: 'retry-if-unsent', call: (c, signal) => c.enrollment.stepUpTotp.mutate(input, { signal }) }),
    stepUpRecoveryCode: (input: { code: string }) =>
      rotation.run({ deadlineMs, tryTimeoutMs, policy: 'retry-if-unsent', call: (c, signal) => c.enrollment.stepUpRecoveryCode.mutate(input, { signal }) }),
    stepUpWebauthnBegin: (): Promise<WebauthnBeginResult> =>
      rotation.run({
        deadlineMs,
        tryTimeoutMs,
        policy: 'retry-if-unsent',
        call: (c, signal) => c.enrollment.stepUpWebauthnBegin.mutate(undefined, { signal }),
      }) as Promise<WebauthnBeginResult>,
    stepUpWebauthnFinish: (input: { challengeId: string; response: WebauthnAuthenticationResponse }) =>
      rotation.run({ deadlineMs, tryTimeoutMs, policy: 'retry-if-unsent', call: (c, signal) => c.enrollment.stepUpWebauthnFinish.mutate(input, { signal }) }),
    /** Ends the session (and its link). */
    logout: () => rotation.run({ deadlineMs, tryTimeoutMs, policy: 'retry-anywhere', call: (c, signal) => c.enrollment.logout.mutate(undefined, { signal }) }),
  };
}

export type EnrollmentClient = ReturnType<typeof createEnrollmentClient>;
