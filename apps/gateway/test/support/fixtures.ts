import { generateTotpCode, timeStepAt, type TotpParams } from '@holdfast/core';
import { createApplication, createDatabase, type Database } from '@holdfast/db';
import { createTestDatabase } from '@holdfast/db/testing';
import { createEnrollmentClient, createHoldfastClient, type HoldfastClient } from '@holdfast/sdk';
import { inject } from 'vitest';
import { startGateway, type GatewayProcess } from './gateways';

export const defaultParams: TotpParams = { algorithm: 'SHA1', digits: 6, period: 30 };

/**
 * A fresh database and `count` gateway processes on it. The gateways connect as the least-privilege
 * gateway role (issue 8), as deployed; `db` and `databaseUrl` are the superuser's, for setting up
 * and inspecting rows.
 */
export async function startEnvironment(options: { gateways: number; env?: Record<string, string> }): Promise<{
  databaseUrl: string;
  /** The gateway role's connection string (what gateway processes use). */
  gatewayDatabaseUrl: string;
  db: Database;
  gateways: GatewayProcess[];
  stop: () => Promise<void>;
}> {
  const database = await createTestDatabase(inject('pgAdminUrl'));
  const db = createDatabase({ url: database.url, poolMax: 4 });
  const gateways = await Promise.all(
    Array.from({ length: options.gateways }, (_, i) =>
      startGateway({
        databaseUrl: database.gatewayUrl,
        gatewayId: `gw-${String.fromCharCode(97 + i)}`,
        region: `region-${i + 1}`,
        ...(options.env === undefined ? {} : { env: options.env }),
      }),
    ),
  );
  return {
    databaseUrl: database.url,
    gatewayDatabaseUrl: database.gatewayUrl,
    db,
    gateways,
    stop: async () => {
      await Promise.all(gateways.map((g) => g.stop()));
      await db.close();
      await database.drop();
    },
  };
}

/**
 * A relying application with one user enrolled in TOTP through the real API: link → redeem →
 * begin → confirm. Returns what a test needs to compute valid codes.
 */
export async function enrollTotpUser(options: { db: Database; gatewayUrl: string; userId?: string; withRecoveryCodes?: boolean }): Promise<{
  applicationId: string;
  apiKey: string;
  userId: string;
  factorId: string;
  secret: string;
  recoveryCodes: string[];
  confirmedStep: number;
  confirmationCode: string;
}> {
  const { applicationId, apiKey } = await createApplication({ prisma: options.db.prisma, name: `app-${Math.random().toString(36).slice(2, 8)}` });
  const userId = options.userId ?? `user-${Math.random().toString(36).slice(2, 10)}`;
  // Set-up calls, not the behaviour under test: a gateway's first enrollment request builds its
  // Prisma client (lazily, issue 9), which on a loaded 2-core CI machine can outlast the SDK's
  // default per-try timeout (deadline / 3 ≈ 1.7 s) — and a link creation that may have arrived is
  // not retried. So these get room; the tests of deadlines and failover set their own.
  const client = createHoldfastClient({ gateways: [options.gatewayUrl], apiKey, deadlineMs: 30_000, tryTimeoutMs: 20_000 });
  const link = await client.createEnrollmentLink({ userId });
  const enrollment = createEnrollmentClient({ gateways: [options.gatewayUrl], deadlineMs: 20_000 });
  await enrollment.redeem(link.token);
  const begun = await enrollment.beginTotp({ label: 'phone' });
  const now = new Date();
  const confirmationCode = await generateTotpCode({ secret: begun.secret, params: defaultParams, at: now });
  await enrollment.confirmTotp({ factorId: begun.factorId, code: confirmationCode });
  const recoveryCodes = options.withRecoveryCodes === true ? (await enrollment.generateRecoveryCodes()).codes : [];
  return {
    applicationId,
    apiKey,
    userId,
    factorId: begun.factorId,
    secret: begun.secret,
    recoveryCodes,
    confirmedStep: timeStepAt({ at: now, period: 30 }),
    confirmationCode,
  };
}

/**
 * A valid code the factor has not accepted yet: the current step, or the next one when the current
 * step is already spent (the gateway accepts ±1 step around now).
 */
export async function freshCode(secret: string, lastStep: number): Promise<{ code: string; step: number }> {
  for (;;) {
    const current = timeStepAt({ at: new Date(), period: 30 });
    const step = Math.max(current, lastStep + 1);
    if (step <= current + 1) {
      return { code: await generateTotpCode({ secret, params: defaultParams, at: new Date(step * 30_000 + 1) }), step };
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Codes that are wrong for every step the gateway could accept right now. */
export async function wrongCodes(secret: string, count: number): Promise<string[]> {
  const current = timeStepAt({ at: new Date(), period: 30 });
  const valid = new Set<string>();
  for (let step = current - 2; step <= current + 2; step += 1) {
    valid.add(await generateTotpCode({ secret, params: defaultParams, at: new Date(step * 30_000 + 1) }));
  }
  const codes: string[] = [];
  for (let n = 0; codes.length < count; n += 7919) {
    const code = String(n % 1_000_000).padStart(6, '0');
    if (!valid.has(code)) codes.push(code);
  }
  return codes;
}

export async function postTrpc(url: string, procedure: string, body: unknown, bearer?: string): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${url}/trpc/${procedure}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json().catch(() => null) };
}

/** One SDK client per gateway, picked round-robin: `pick(i)` spreads request i across gateways. */
export function roundRobinClients(gateways: readonly { url: string }[], apiKey: string, deadlineMs: number): (i: number) => HoldfastClient {
  const clients = gateways.map((g) => createHoldfastClient({ gateways: [g.url], apiKey, deadlineMs }));
  return (i) => {
    const client = clients[i % clients.length];
    if (client === undefined) throw new Error('no gateways');
    return client;
  };
}
