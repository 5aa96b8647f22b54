import { createCaller, type ApplicationPrincipal, type ServiceDeps } from '@holdfast/api';
import { totpSecretAad } from '@holdfast/core';
import { createTotpSecret, decryptSecret, encryptSecret, generateTotpCode, type TotpParams } from '@holdfast/core';
import { withTransaction } from '@holdfast/db';
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

/**
 * Plain SQL, like the hot path it exercises: a gateway that only verifies never builds a Prisma
 * client (its query-compiler WebAssembly costs each worker tens of MB; issue 9's memory target).
 */
async function ensureCanaryFactor(deps: ServiceDeps): Promise<{ application: ApplicationPrincipal; externalUserId: string; secret: string }> {
  const { pool } = deps.db;
  // One canary user per worker (workers/identity.ts): a 1-s TOTP step is single use (invariant 1).
  const externalUserId = canaryExternalUserId(deps.gateway.id);
  type ApplicationRow = { id: string; name: string; fail_mode: ApplicationPrincipal['failMode'] };
  const findApplication = (): Promise<ApplicationRow | undefined> =>
    pool
      .query<ApplicationRow>('SELECT id, name, fail_mode::text AS fail_mode FROM applications WHERE is_canary AND name = $1 ORDER BY created_at LIMIT 1', [
        canaryApplicationName,
      ])
      .then((result) => result.rows[0]);
  // Find-or-create; concurrent gateways may race here, and then all use the oldest.
  let applicationRow = await findApplication();
  if (applicationRow === undefined) {
    await pool.query('INSERT INTO applications (id, name, is_canary) VALUES ($1, $2, true)', [randomUUID(), canaryApplicationName]);
    applicationRow = await findApplication();
  }
  if (applicationRow === undefined) throw new Error('the canary application could not be created');
  const application: ApplicationPrincipal = { id: applicationRow.id, name: applicationRow.name, failMode: applicationRow.fail_mode };
  await pool.query('INSERT INTO users (id, application_id, external_id) VALUES ($1, $2, $3) ON CONFLICT (application_id, external_id) DO NOTHING', [
    randomUUID(),
    application.id,
    externalUserId,
  ]);
  const existing = await pool.query<{ id: string; secret_enc: string }>(
    `SELECT f.id, t.secret_enc FROM factors f JOIN users u ON u.id = f.user_id JOIN totp_factors t ON t.factor_id = f.id
      WHERE u.application_id = $1 AND u.external_id = $2 AND f.kind = 'totp' AND f.status = 'active'
      ORDER BY f.created_at LIMIT 1`,
    [application.id, externalUserId],
  );
  const found = existing.rows[0];
  if (found !== undefined) {
    const secret = decryptSecret({ keyring: deps.keyring, envelope: found.secret_enc, aad: totpSecretAad(found.id) });
    return { application, externalUserId, secret };
  }
  const factorId = randomUUID();
  const secret = createTotpSecret({ random: deps.random, algorithm: canaryParams.algorithm });
  await withTransaction(pool, null, async (sql) => {
    await sql.query(
      `INSERT INTO factors (id, user_id, kind, label, status)
       SELECT $1, id, 'totp', 'canary', 'active' FROM users WHERE application_id = $2 AND external_id = $3`,
      [factorId, application.id, externalUserId],
    );
    await sql.query('INSERT INTO totp_factors (factor_id, secret_enc, algorithm, digits, period) VALUES ($1, $2, $3::totp_algorithm, $4, $5)', [
      factorId,
      encryptSecret({ keyring: deps.keyring, plaintext: secret, aad: totpSecretAad(factorId), random: deps.random }),
      canaryParams.algorithm,
      canaryParams.digits,
      canaryParams.period,
    ]);
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
    await deps.db.pool
      .query('UPDATE gateway_heartbeats SET last_seen_at = $2, canary_ok = $3, canary_latency_ms = $4, canary_at = $2 WHERE gateway_id = $1', [
        deps.gateway.id,
        new Date(last.at),
        last.ok,
        Math.round(last.latencyMs),
      ])
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
