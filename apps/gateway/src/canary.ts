import { createCaller, type ApplicationPrincipal, type ServiceDeps } from '@holdfast/api';
import { totpSecretAad } from '@holdfast/core';
import { createTotpSecret, decryptSecret, encryptSecret, generateTotpCode, type TotpParams } from '@holdfast/core';
import { randomUUID } from 'node:crypto';
import { canaryExternalUserId } from './workers/identity';

/**
 * Each gateway (each of its worker processes) owns a canary user whose TOTP factor uses a 1-second period, so every run (every
 * few seconds) has a fresh, never-used code. The canary runs through the same procedure, service,
 * transaction and compare-and-set as a real login: "healthy" means "a login works" (invariant 9).
 */
const canaryParams: TotpParams = { algorithm: 'SHA1', digits: 6, period: 1 };
const canaryApplicationName = 'holdfast-canary';

export interface CanaryResult {
  ok: boolean;
  latencyMs: number;
  at: number;
  error?: string;
}

export interface Canary {
  runOnce: () => Promise<CanaryResult>;
  last: () => CanaryResult | null;
  start: (intervalMs: number, onResult: (result: CanaryResult) => void) => void;
  stop: () => void;
}

async function ensureCanaryFactor(deps: ServiceDeps): Promise<{ application: ApplicationPrincipal; externalUserId: string; secret: string }> {
  const { prisma } = deps.db;
  // One canary user per worker (workers/identity.ts): a 1-s TOTP step is single use (invariant 1).
  const externalUserId = canaryExternalUserId(deps.gateway.id);
  // Find-or-create under the unique (application, external id) key; concurrent gateways may race here.
  let application = await prisma.application.findFirst({
    where: { isCanary: true, name: canaryApplicationName },
    select: { id: true, name: true, failMode: true },
  });
  application ??= await prisma.application.create({ data: { name: canaryApplicationName, isCanary: true }, select: { id: true, name: true, failMode: true } });
  const user = await prisma.user.upsert({
    where: { applicationId_externalId: { applicationId: application.id, externalId: externalUserId } },
    create: { applicationId: application.id, externalId: externalUserId },
    update: {},
    select: { id: true },
  });
  const existing = await prisma.factor.findFirst({
    where: { userId: user.id, kind: 'totp', status: 'active' },
    select: { id: true, totp: { omit: { secretEnc: false } } },
  });
  if (existing?.totp != null) {
    const secret = decryptSecret({ keyring: deps.keyring, envelope: existing.totp.secretEnc, aad: totpSecretAad(existing.id) });
    return { application, externalUserId, secret };
  }
  const factorId = randomUUID();
  const secret = createTotpSecret({ random: deps.random, algorithm: canaryParams.algorithm });
  await prisma.factor.create({
    data: {
      id: factorId,
      userId: user.id,
      kind: 'totp',
      label: 'canary',
      status: 'active',
      totp: {
        create: {
          secretEnc: encryptSecret({ keyring: deps.keyring, plaintext: secret, aad: totpSecretAad(factorId), random: deps.random }),
          algorithm: canaryParams.algorithm,
          digits: canaryParams.digits,
          period: canaryParams.period,
        },
      },
    },
  });
  return { application, externalUserId, secret };
}

export function createCanary(deps: ServiceDeps): Canary {
  let last: CanaryResult | null = null;
  let timer: NodeJS.Timeout | null = null;
  let isStopped = false;
  let setup: Promise<Awaited<ReturnType<typeof ensureCanaryFactor>>> | null = null;

  const runOnce = async (): Promise<CanaryResult> => {
    const started = performance.now();
    try {
      setup ??= ensureCanaryFactor(deps);
      const canary = await setup.catch((error: unknown) => {
        setup = null; // retry the setup on the next run (e.g. the database was down at start)
        throw error;
      });
      const caller = createCaller({ deps, bearer: null, trustedApplication: canary.application });
      const code = await generateTotpCode({ secret: canary.secret, params: canaryParams, at: deps.clock() });
      const result = await caller.verify.totp({ userId: canary.externalUserId, attemptId: `canary-${randomUUID()}`, code });
      last = {
        ok: result.outcome === 'accepted',
        latencyMs: performance.now() - started,
        at: Date.now(),
        ...(result.outcome === 'accepted' ? {} : { error: `rejected: ${result.reason ?? 'unknown'}` }),
      };
    } catch (error) {
      // The canary has a pool of its own (run-gateway.ts): nothing else would move that pool on
      // to the next database endpoint when this one is unreachable.
      deps.db.reportError(error);
      last = { ok: false, latencyMs: performance.now() - started, at: Date.now(), error: error instanceof Error ? error.message : 'unknown error' };
    }
    await deps.db.prisma.gatewayHeartbeat
      .update({
        where: { gatewayId: deps.gateway.id },
        data: { lastSeenAt: new Date(last.at), canaryOk: last.ok, canaryLatencyMs: Math.round(last.latencyMs), canaryAt: new Date(last.at) },
      })
      .catch(() => undefined); // the heartbeat is informational; the canary result stands without it
    return last;
  };

  return {
    runOnce,
    last: () => last,
    start: (intervalMs, onResult) => {
      const loop = async (): Promise<void> => {
        const result = await runOnce();
        onResult(result);
        if (!isStopped) timer = setTimeout(() => void loop(), intervalMs);
      };
      void loop();
    },
    stop: () => {
      isStopped = true;
      if (timer !== null) clearTimeout(timer);
    },
  };
}
