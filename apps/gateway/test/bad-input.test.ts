import { createApplication } from '@holdfast/db';
import { createHoldfastClient } from '@holdfast/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollTotpUser, postTrpc, startEnvironment } from './support/fixtures';

const tables = [
  'applications',
  'api_keys',
  'users',
  'factors',
  'totp_factors',
  'recovery_codes',
  'verification_attempts',
  'enrollment_links',
  'gateway_heartbeats',
];

describe('[BAD_INPUT] malformed, oversized, unauthenticated and cross-tenant requests', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  // The canary runs once at start and then not again during this file, so no background writes.
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 1, env: { HOLDFAST_CANARY_INTERVAL_MS: '3600000' } });
  });
  afterAll(async () => {
    await env.stop();
  });

  /** Every row of every table except the audit trail, to prove a refused request changed nothing. */
  async function snapshot(): Promise<string> {
    const parts: string[] = [];
    for (const table of tables) {
      const rows = await env.db.pool.query(`SELECT row_to_json(t)::text AS row FROM ${table} t ORDER BY 1`);
      parts.push(`${table}:${rows.rows.map((r: { row: string }) => r.row).join('\n')}`);
    }
    return parts.join('\n');
  }

  it('answers each with a clear 4xx and a typed code, writes nothing but the audit of the rejection', async () => {
    const [gw] = env.gateways;
    if (gw === undefined) throw new Error('gateway expected');
    const alice = await enrollTotpUser({ db: env.db, gatewayUrl: gw.url, userId: 'alice' });
    const other = await createApplication({ prisma: env.db.prisma, name: 'other app' });
    const otherUser = await enrollTotpUser({ db: env.db, gatewayUrl: gw.url, userId: 'bob' });
    const client = createHoldfastClient({ gateways: [gw.url], apiKey: alice.apiKey });
    const used = await client.createEnrollmentLink({ userId: 'alice' });
    await postTrpc(gw.url, 'enrollment.redeem', { token: used.token });
    const expired = await client.createEnrollmentLink({ userId: 'alice' });
    await env.db.prisma.enrollmentLink.updateMany({
      where: { expiresAt: { gt: new Date() }, redeemedAt: null },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });

    const before = await snapshot();
    const auditBefore = await env.db.prisma.auditEvent.count();
    const valid = { userId: 'alice', code: '123456', attemptId: 'bad-input-0001' };
    const cases: { name: string; call: () => Promise<{ status: number; json: unknown }>; status: number; code: string; audit?: string }[] = [
      { name: 'malformed JSON', call: () => postTrpc(gw.url, 'verify.totp', '{"userId": "alice",', alice.apiKey), status: 400, code: 'BAD_REQUEST' },
      {
        name: 'oversized body',
        call: () => postTrpc(gw.url, 'verify.totp', { ...valid, userId: 'x'.repeat(40_000) }, alice.apiKey),
        status: 413,
        code: 'BAD_REQUEST',
      },
      { name: 'missing fields', call: () => postTrpc(gw.url, 'verify.totp', { userId: 'alice' }, alice.apiKey), status: 400, code: 'BAD_REQUEST' },
      { name: 'extra field', call: () => postTrpc(gw.url, 'verify.totp', { ...valid, isAdmin: true }, alice.apiKey), status: 400, code: 'BAD_REQUEST' },
      {
        name: 'code of the wrong type',
        call: () => postTrpc(gw.url, 'verify.totp', { ...valid, code: 123456 }, alice.apiKey),
        status: 400,
        code: 'BAD_REQUEST',
      },
      { name: 'code with letters', call: () => postTrpc(gw.url, 'verify.totp', { ...valid, code: '12a456' }, alice.apiKey), status: 400, code: 'BAD_REQUEST' },
      {
        name: 'too-long user id',
        call: () => postTrpc(gw.url, 'verify.totp', { ...valid, userId: 'u'.repeat(200) }, alice.apiKey),
        status: 400,
        code: 'BAD_REQUEST',
      },
      {
        name: 'attempt id with odd characters',
        call: () => postTrpc(gw.url, 'verify.totp', { ...valid, attemptId: "x'; DROP TABLE users;--" }, alice.apiKey),
        status: 400,
        code: 'BAD_REQUEST',
      },
      { name: 'unknown procedure', call: () => postTrpc(gw.url, 'verify.everything', valid, alice.apiKey), status: 404, code: 'BAD_REQUEST' },
      { name: 'missing API key', call: () => postTrpc(gw.url, 'verify.totp', valid), status: 401, code: 'UNAUTHENTICATED', audit: 'apikey.rejected' },
      {
        name: 'malformed API key',
        call: () => postTrpc(gw.url, 'verify.totp', valid, 'not-a-key'),
        status: 401,
        code: 'UNAUTHENTICATED',
        audit: 'apikey.rejected',
      },
      {
        name: 'wrong API key secret',
        call: () => postTrpc(gw.url, 'verify.totp', valid, alice.apiKey.slice(0, -4) + 'AAAA'),
        status: 401,
        code: 'UNAUTHENTICATED',
        audit: 'apikey.rejected',
      },
      {
        name: 'user of another application',
        call: () => postTrpc(gw.url, 'verify.totp', { ...valid, userId: 'bob' }, other.apiKey),
        status: 404,
        code: 'USER_NOT_FOUND',
        audit: 'request.rejected',
      },
      {
        name: "another user's factor",
        call: () => postTrpc(gw.url, 'verify.totp', { ...valid, factorId: otherUser.factorId }, alice.apiKey),
        status: 404,
        code: 'FACTOR_NOT_FOUND',
        audit: 'request.rejected',
      },
      {
        name: 'reused enrollment link',
        call: () => postTrpc(gw.url, 'enrollment.redeem', { token: used.token }),
        status: 412,
        code: 'ENROLLMENT_LINK_USED',
        audit: 'enrollment.link_rejected',
      },
      {
        name: 'expired enrollment link',
        call: () => postTrpc(gw.url, 'enrollment.redeem', { token: expired.token }),
        status: 412,
        code: 'ENROLLMENT_LINK_EXPIRED',
        audit: 'enrollment.link_rejected',
      },
      {
        name: 'unknown enrollment link',
        call: () => postTrpc(gw.url, 'enrollment.redeem', { token: 'A'.repeat(43) }),
        status: 401,
        code: 'ENROLLMENT_LINK_INVALID',
        // No row: an unknown token has no subject, and unauthenticated traffic must not write rows.
      },
      {
        name: 'enrollment without a session',
        call: () => postTrpc(gw.url, 'totp.beginEnrollment', {}, alice.apiKey),
        status: 401,
        code: 'ENROLLMENT_SESSION_INVALID',
      },
    ];

    const expectedAudit: string[] = [];
    for (const testCase of cases) {
      const response = await testCase.call();
      const error = (response.json as { error?: { message?: string; data?: { holdfastCode?: string; stack?: unknown } } } | null)?.error;
      expect({ name: testCase.name, status: response.status, code: error?.data?.holdfastCode }).toEqual({
        name: testCase.name,
        status: testCase.status,
        code: testCase.code,
      });
      expect(error?.message?.length, testCase.name).toBeGreaterThan(0);
      expect(error?.data?.stack, testCase.name).toBeUndefined();
      if (testCase.audit !== undefined) expectedAudit.push(testCase.audit);
    }
    // GET on a mutation is refused too.
    const get = await fetch(`${gw.url}/trpc/verify.totp?input=${encodeURIComponent(JSON.stringify(valid))}`, {
      headers: { authorization: `Bearer ${alice.apiKey}` },
    });
    expect(get.status).toBe(405);

    expect(await snapshot()).toBe(before);
    // Gateway lifecycle rows (gateway.started of a worker that came up meanwhile) are not this test's.
    const added = (await env.db.prisma.auditEvent.findMany({ where: {}, orderBy: { id: 'asc' }, skip: auditBefore })).filter(
      (event) => !event.type.startsWith('gateway.'),
    );
    expect(added.map((event) => event.type).sort()).toEqual(expectedAudit.sort());
    // The rejection is recorded, the input is not (no codes, tokens or keys in the trail).
    const trail = JSON.stringify(added.map((event) => event.detail));
    expect(trail).not.toContain(used.token);
    // The secret is everything after `hf_<16 hex>_`: it may itself contain `_`, so no split('_').
    expect(trail).not.toContain(alice.apiKey.slice('hf_'.length + 16 + 1));
  });
});
