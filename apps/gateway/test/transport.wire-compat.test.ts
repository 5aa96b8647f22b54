import { appRouter, type AppRouter, type Context } from '@holdfast/api';
import { createApplication, createDatabase, type Database } from '@holdfast/db';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollTotpUser, freshCode } from './support/fixtures';
import { startInProcessGateway, type InProcessGateway } from './transport.in-process';

// Issue 9: the thin transport (src/transport/trpc-transport.ts) must answer every tRPC client as
// the standalone adapter did. Both run here over the same router, deps and database: the gateway
// (transport + shield + admission) and a bare standalone adapter with the gateway's context.

interface Answer {
  status: number;
  headers: Record<string, string | null>;
  json: unknown;
}

/** Fields that differ between two calls by design (ids we chose, clocks), not by transport. */
function normalized(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalized);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, ['attemptId', 'decidedAt', 'factorId'].includes(key) ? '<varies>' : normalized(inner)]),
  );
}

async function raw(base: string, path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? 'POST',
    headers: init.headers ?? {},
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  const text = await response.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // Left as text: compared as text.
  }
  return {
    status: response.status,
    headers: { 'content-type': response.headers.get('content-type'), allow: response.headers.get('allow'), vary: response.headers.get('vary') },
    json,
  };
}

describe('[TRPC_WIRE_COMPAT] the thin transport answers like the standalone adapter', () => {
  let gateway: InProcessGateway;
  let reference: http.Server;
  let referenceUrl: string;
  let db: Database;
  let alice: Awaited<ReturnType<typeof enrollTotpUser>>;
  let bob: Awaited<ReturnType<typeof enrollTotpUser>>;
  let otherApiKey: string;

  beforeAll(async () => {
    gateway = await startInProcessGateway({ gatewayId: 'gw-wire' });
    const deps = gateway.deps;
    const standalone = createHTTPHandler({
      router: appRouter,
      basePath: '/trpc/',
      maxBodySize: 16 * 1024,
      allowBatching: false,
      createContext: ({ req }): Context => {
        const header = req.headers.authorization;
        const bearer = typeof header === 'string' ? (/^Bearer\s+(\S+)$/i.exec(header.trim())?.[1] ?? null) : null;
        return { deps, bearer, client: { ip: req.socket.remoteAddress ?? null } };
      },
    });
    reference = http.createServer(standalone);
    await new Promise<void>((resolve) => reference.listen(0, '127.0.0.1', resolve));
    referenceUrl = `http://127.0.0.1:${(reference.address() as AddressInfo).port}`;
    db = createDatabase({ url: gateway.database.url, poolMax: 2 });
    alice = await enrollTotpUser({ db, gatewayUrl: gateway.url, userId: 'alice' });
    bob = await enrollTotpUser({ db, gatewayUrl: gateway.url, userId: 'bob' });
    otherApiKey = (await createApplication({ prisma: db.prisma, name: 'other' })).apiKey;
  });
  afterAll(async () => {
    reference.closeAllConnections();
    await new Promise((resolve) => reference.close(resolve));
    await db.close();
    await gateway.close();
  });

  it('gives the same status, headers and body for each request shape', async () => {
    const auth = { authorization: `Bearer ${alice.apiKey}`, 'content-type': 'application/json' };
    const valid = { userId: 'alice', code: '000000', attemptId: 'wire-0001' };
    const cases: { name: string; path: string; init?: { method?: string; body?: string; headers?: Record<string, string> } }[] = [
      { name: 'query success', path: `/trpc/preauth?input=${encodeURIComponent(JSON.stringify({ userId: 'alice' }))}`, init: { method: 'GET', headers: auth } },
      {
        name: 'query, unknown user',
        path: `/trpc/preauth?input=${encodeURIComponent(JSON.stringify({ userId: 'nobody' }))}`,
        init: { method: 'GET', headers: auth },
      },
      { name: 'query, malformed ?input', path: '/trpc/preauth?input=%7Bnot-json', init: { method: 'GET', headers: auth } },
      { name: 'query, no input', path: '/trpc/preauth', init: { method: 'GET', headers: auth } },
      { name: 'mutation, rejected code', path: '/trpc/verify.totp', init: { body: JSON.stringify(valid), headers: auth } },
      {
        name: 'mutation, charset parameter',
        path: '/trpc/verify.totp',
        init: { body: JSON.stringify({ ...valid, attemptId: 'wire-0002' }), headers: { ...auth, 'content-type': 'Application/JSON; charset=utf-8' } },
      },
      {
        name: 'HoldfastError 404',
        path: '/trpc/verify.totp',
        init: { body: JSON.stringify({ ...valid, userId: 'bob' }), headers: { ...auth, authorization: `Bearer ${otherApiKey}` } },
      },
      { name: 'zod 400', path: '/trpc/verify.totp', init: { body: JSON.stringify({ userId: 'alice' }), headers: auth } },
      { name: 'zod 400, extra field', path: '/trpc/verify.totp', init: { body: JSON.stringify({ ...valid, isAdmin: true }), headers: auth } },
      { name: 'empty body', path: '/trpc/verify.totp', init: { body: '', headers: auth } },
      { name: 'malformed JSON', path: '/trpc/verify.totp', init: { body: '{"userId": "alice",', headers: auth } },
      { name: '401 no key', path: '/trpc/verify.totp', init: { body: JSON.stringify(valid), headers: { 'content-type': 'application/json' } } },
      {
        name: '401 bad key',
        path: '/trpc/verify.totp',
        init: { body: JSON.stringify(valid), headers: { ...auth, authorization: 'Bearer hf_0000000000000000_nope' } },
      },
      {
        name: '401 before 413',
        path: '/trpc/verify.totp',
        init: { body: JSON.stringify({ ...valid, userId: 'x'.repeat(40_000) }), headers: { 'content-type': 'application/json' } },
      },
      { name: '413', path: '/trpc/verify.totp', init: { body: JSON.stringify({ ...valid, userId: 'x'.repeat(40_000) }), headers: auth } },
      { name: 'unknown procedure', path: '/trpc/verify.everything', init: { body: JSON.stringify(valid), headers: auth } },
      { name: 'a router, not a procedure', path: '/trpc/verify', init: { body: JSON.stringify(valid), headers: auth } },
      { name: 'GET on a mutation', path: `/trpc/verify.totp?input=${encodeURIComponent(JSON.stringify(valid))}`, init: { method: 'GET', headers: auth } },
      { name: 'POST on a query', path: '/trpc/preauth', init: { body: JSON.stringify({ userId: 'alice' }), headers: auth } },
      { name: 'batch refused', path: '/trpc/verify.totp,verify.totp?batch=1', init: { body: JSON.stringify({ 0: valid, 1: valid }), headers: auth } },
      { name: 'no content type', path: '/trpc/verify.totp', init: { body: JSON.stringify(valid), headers: { authorization: auth.authorization } } },
      { name: 'PUT', path: '/trpc/verify.totp', init: { method: 'PUT', body: JSON.stringify(valid), headers: auth } },
      { name: 'trailing slash', path: '/trpc/preauth/?input=%7B%22userId%22%3A%22alice%22%7D', init: { method: 'GET', headers: auth } },
    ];
    for (const testCase of cases) {
      const fromGateway = await raw(gateway.url, testCase.path, testCase.init);
      // Its own attempt ids: the same id twice would be answered as a replay (invariant 3).
      const init = testCase.init?.body === undefined ? testCase.init : { ...testCase.init, body: testCase.init.body.replaceAll('"wire-', '"wref-') };
      const fromAdapter = await raw(referenceUrl, testCase.path, init);
      expect({ name: testCase.name, ...fromGateway, json: normalized(fromGateway.json) }).toEqual({
        name: testCase.name,
        ...fromAdapter,
        json: normalized(fromAdapter.json),
      });
    }
  });

  it('gives @trpc/client (httpLink) the same data and errors', async () => {
    const clientOf = (url: string, apiKey: string) =>
      createTRPCClient<AppRouter>({ links: [httpLink({ url: `${url}/trpc`, headers: () => ({ authorization: `Bearer ${apiKey}` }) })] });
    const outcome = async <T>(call: () => Promise<T>): Promise<unknown> => {
      try {
        return normalized({ data: await call() });
      } catch (error) {
        if (!(error instanceof TRPCClientError)) throw error;
        return normalized({ message: error.message, shape: error.shape as unknown, data: error.data as unknown });
      }
    };
    const viaGateway = clientOf(gateway.url, alice.apiKey);
    const viaAdapter = clientOf(referenceUrl, alice.apiKey);
    const otherGateway = clientOf(gateway.url, otherApiKey);
    const otherAdapter = clientOf(referenceUrl, otherApiKey);

    expect(await outcome(() => viaGateway.preauth.query({ userId: 'alice' }))).toEqual(await outcome(() => viaAdapter.preauth.query({ userId: 'alice' })));
    // Accepted: two fresh codes of two users (a code is accepted once, invariant 1).
    const aliceCode = await freshCode(alice.secret, alice.confirmedStep);
    const bobCode = await freshCode(bob.secret, bob.confirmedStep);
    const accepted = await outcome(() => viaGateway.verify.totp.mutate({ userId: 'alice', code: aliceCode.code, attemptId: 'wire-client-1' }));
    expect(accepted).toMatchObject({ data: { outcome: 'accepted' } });
    // enrollTotpUser gives each user an application of their own: bob's key for bob.
    const bobViaAdapter = clientOf(referenceUrl, bob.apiKey);
    expect(accepted).toEqual(await outcome(() => bobViaAdapter.verify.totp.mutate({ userId: 'bob', code: bobCode.code, attemptId: 'wire-client-2' })));
    // Rejected (wrong code), a HoldfastError, a zod error.
    expect(await outcome(() => viaGateway.verify.totp.mutate({ userId: 'alice', code: '000000', attemptId: 'wire-client-3' }))).toEqual(
      await outcome(() => viaAdapter.verify.totp.mutate({ userId: 'alice', code: '000000', attemptId: 'wire-client-4' })),
    );
    expect(await outcome(() => otherGateway.verify.totp.mutate({ userId: 'alice', code: '000000', attemptId: 'wire-client-5' }))).toEqual(
      await outcome(() => otherAdapter.verify.totp.mutate({ userId: 'alice', code: '000000', attemptId: 'wire-client-6' })),
    );
    expect(await outcome(() => viaGateway.verify.totp.mutate({ userId: 'alice', code: '12a456', attemptId: 'wire-client-7' }))).toEqual(
      await outcome(() => viaAdapter.verify.totp.mutate({ userId: 'alice', code: '12a456', attemptId: 'wire-client-7' })),
    );
    expect(await outcome(() => viaGateway.verify.status.query({ attemptId: 'wire-client-1' }))).toEqual(
      await outcome(() => viaAdapter.verify.status.query({ attemptId: 'wire-client-1' })),
    );
  });
});
