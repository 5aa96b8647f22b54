import { createApplication } from '@holdfast/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollTotpUser, freshCode, startEnvironment, wrongCodes } from './support/fixtures';
import { warmUp } from './openapi.support';

interface Answer {
  status: number;
  contentType: string | null;
  allow: string | null;
  json: unknown;
}

async function call(url: string, init: { method: string; bearer?: string; body?: string; contentType?: string }): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (init.bearer !== undefined) headers.authorization = `Bearer ${init.bearer}`;
  if (init.body !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
  const response = await fetch(url, { method: init.method, headers, ...(init.body === undefined ? {} : { body: init.body }) });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, contentType: response.headers.get('content-type'), allow: response.headers.get('allow'), json };
}

function holdfastCodeOfTrpc(json: unknown): unknown {
  return (json as { error?: { data?: { holdfastCode?: unknown } } }).error?.data?.holdfastCode;
}

describe('[REST_PROBLEM_JSON] REST refusals are RFC 9457 problem details with the tRPC transport’s status and typed code', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  beforeAll(async () => {
    // A small failed-authentication budget, so the shield's 429 is reached at the end of the test.
    env = await startEnvironment({
      gateways: 1,
      env: { HOLDFAST_CANARY_INTERVAL_MS: '3600000', HOLDFAST_RATE_AUTH_FAILURES_BURST: '10', HOLDFAST_RATE_AUTH_FAILURES_PER_SECOND: '0.01' },
    });
    const [gw] = env.gateways;
    if (gw !== undefined) await warmUp(gw.url, (await createApplication({ prisma: env.db.prisma, name: 'warm-up' })).apiKey);
  });
  afterAll(async () => {
    await env.stop();
  });

  it('answers each failure as /trpc/ does, as application/problem+json', async () => {
    const [gw] = env.gateways;
    if (gw === undefined) throw new Error('gateway expected');
    const alice = await enrollTotpUser({ db: env.db, gatewayUrl: gw.url });
    const rest = (path: string): string => `${gw.url}/v1/${path}`;
    const trpc = (path: string): string => `${gw.url}/trpc/${path}`;
    const [wrong] = await wrongCodes(alice.secret, 1);
    if (wrong === undefined) throw new Error('a wrong code expected');
    const secretLooking = '99-SECRET-CODE-77';

    const fresh = await freshCode(alice.secret, alice.confirmedStep);
    const accepted = await call(rest('verify/totp'), {
      method: 'POST',
      bearer: alice.apiKey,
      body: JSON.stringify({ userId: alice.userId, code: fresh.code, attemptId: 'problem-accepted-1' }),
    });
    expect(accepted.status).toBe(200);
    expect(accepted.json).toMatchObject({ outcome: 'accepted', attemptId: 'problem-accepted-1', replayed: false });
    const acceptedTrpc = await call(trpc('verify.totp'), {
      method: 'POST',
      bearer: alice.apiKey,
      body: JSON.stringify({ userId: alice.userId, code: wrong, attemptId: 'problem-accepted-2' }),
    });
    expect(acceptedTrpc.status).toBe(200);

    const big = JSON.stringify({ userId: 'x'.repeat(20_000), code: '123456', attemptId: 'problem-big-0001' });
    const cases: { name: string; rest: () => Promise<Answer>; trpc: () => Promise<Answer>; status: number; code: string }[] = [
      {
        name: 'bad API key',
        rest: () =>
          call(rest('verify/totp'), {
            method: 'POST',
            bearer: 'hf_nope_nope',
            body: JSON.stringify({ userId: 'a', code: '123456', attemptId: 'bad-key-0001' }),
          }),
        trpc: () =>
          call(trpc('verify.totp'), {
            method: 'POST',
            bearer: 'hf_nope_nope',
            body: JSON.stringify({ userId: 'a', code: '123456', attemptId: 'bad-key-0001' }),
          }),
        status: 401,
        code: 'UNAUTHENTICATED',
      },
      {
        name: 'unknown user',
        rest: () =>
          call(rest('verify/totp'), {
            method: 'POST',
            bearer: alice.apiKey,
            body: JSON.stringify({ userId: 'nobody', code: '123456', attemptId: 'unknown-user-1' }),
          }),
        trpc: () =>
          call(trpc('verify.totp'), {
            method: 'POST',
            bearer: alice.apiKey,
            body: JSON.stringify({ userId: 'nobody', code: '123456', attemptId: 'unknown-user-2' }),
          }),
        status: 404,
        code: 'USER_NOT_FOUND',
      },
      {
        name: 'invalid input (zod)',
        rest: () =>
          call(rest('verify/totp'), {
            method: 'POST',
            bearer: alice.apiKey,
            body: JSON.stringify({ userId: alice.userId, code: secretLooking, attemptId: 'zod-0001' }),
          }),
        trpc: () =>
          call(trpc('verify.totp'), {
            method: 'POST',
            bearer: alice.apiKey,
            body: JSON.stringify({ userId: alice.userId, code: secretLooking, attemptId: 'zod-0001' }),
          }),
        status: 400,
        code: 'BAD_REQUEST',
      },
      {
        name: 'invalid query input (zod)',
        rest: () => call(rest('verify/status?attemptId=x'), { method: 'GET', bearer: alice.apiKey }),
        trpc: () => call(trpc(`verify.status?input=${encodeURIComponent(JSON.stringify({ attemptId: 'x' }))}`), { method: 'GET', bearer: alice.apiKey }),
        status: 400,
        code: 'BAD_REQUEST',
      },
      {
        name: 'malformed JSON',
        rest: () => call(rest('verify/totp'), { method: 'POST', bearer: alice.apiKey, body: '{"userId": "alice",' }),
        trpc: () => call(trpc('verify.totp'), { method: 'POST', bearer: alice.apiKey, body: '{"userId": "alice",' }),
        status: 400,
        code: 'BAD_REQUEST',
      },
      {
        name: 'body over 16 KiB',
        rest: () => call(rest('verify/totp'), { method: 'POST', bearer: alice.apiKey, body: big }),
        trpc: () => call(trpc('verify.totp'), { method: 'POST', bearer: alice.apiKey, body: big }),
        status: 413,
        code: 'BAD_REQUEST',
      },
      {
        name: 'unknown path',
        rest: () => call(rest('verify/nothing'), { method: 'POST', bearer: alice.apiKey, body: '{}' }),
        trpc: () => call(trpc('verify.nothing'), { method: 'POST', bearer: alice.apiKey, body: '{}' }),
        status: 404,
        code: 'BAD_REQUEST',
      },
      {
        name: 'wrong method',
        rest: () => call(rest('verify/totp'), { method: 'GET', bearer: alice.apiKey }),
        trpc: () => call(trpc('verify.totp'), { method: 'GET', bearer: alice.apiKey }),
        status: 405,
        code: 'BAD_REQUEST',
      },
      {
        name: 'attempt id replayed with another code',
        rest: () =>
          call(rest('verify/totp'), {
            method: 'POST',
            bearer: alice.apiKey,
            body: JSON.stringify({ userId: alice.userId, code: wrong, attemptId: 'problem-accepted-1' }),
          }),
        trpc: () =>
          call(trpc('verify.totp'), {
            method: 'POST',
            bearer: alice.apiKey,
            body: JSON.stringify({ userId: alice.userId, code: fresh.code, attemptId: 'problem-accepted-2' }),
          }),
        status: 409,
        code: 'ATTEMPT_ID_REUSED',
      },
    ];

    for (const testCase of cases) {
      const viaRest = await testCase.rest();
      const viaTrpc = await testCase.trpc();
      expect(viaTrpc.status, `${testCase.name} (tRPC)`).toBe(testCase.status);
      expect(holdfastCodeOfTrpc(viaTrpc.json), `${testCase.name} (tRPC)`).toBe(testCase.code);
      expect(viaRest.status, testCase.name).toBe(viaTrpc.status);
      expect(viaRest.contentType, testCase.name).toBe('application/problem+json');
      expect(viaRest.json, testCase.name).toEqual({
        type: `https://holdfast.dev/problems/${testCase.code.toLowerCase().replace(/_/g, '-')}`,
        title: expect.any(String) as string,
        status: testCase.status,
        detail: expect.any(String) as string,
        holdfastCode: testCase.code,
        ...(testCase.name.includes('zod') ? { issues: expect.any(Array) as unknown[] } : {}),
      });
      // Never the values sent (a code may be a secret): only field paths and reasons.
      expect(JSON.stringify(viaRest.json), testCase.name).not.toContain(secretLooking);
      if (testCase.status === 405) expect(viaRest.allow).toBe('POST');
    }
    const zod = await cases[2]?.rest();
    expect(zod?.json).toMatchObject({ issues: [{ path: 'code' }] });

    // A JSON body only: a form post is refused before any work.
    const form = await call(rest('verify/totp'), {
      method: 'POST',
      bearer: alice.apiKey,
      body: 'userId=alice',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(form).toMatchObject({ status: 415, contentType: 'application/problem+json', json: { holdfastCode: 'BAD_REQUEST', status: 415 } });

    // The flood shield refuses /v1/ requests as problem details too (429 with Retry-After).
    let limited: Answer | null = null;
    for (let i = 0; i < 30 && limited === null; i += 1) {
      const answer = await call(rest('preauth?userId=alice'), { method: 'GET', bearer: 'hf_nope_nope' });
      if (answer.status === 429) limited = answer;
    }
    expect(limited).toMatchObject({
      status: 429,
      contentType: 'application/problem+json',
      json: { status: 429, holdfastCode: 'RATE_LIMITED', type: 'https://holdfast.dev/problems/rate-limited' },
    });
  });
});
