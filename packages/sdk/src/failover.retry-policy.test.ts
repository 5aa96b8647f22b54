import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HoldfastApiError, HoldfastUnavailableError } from './errors';
import { createHoldfastClient } from './client';

/** A real HTTP peer that answers every request with a fixed status and tRPC-shaped body, counting hits. */
async function fixedServer(status: number, body: unknown): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = http.createServer((_req, res) => {
    hits += 1;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      resolve();
    }),
  );
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}

const apiKey = `hf_0123456789abcdef_${'A'.repeat(43)}`;
const errorBody = (httpStatus: number, holdfastCode: string) => ({ error: { message: holdfastCode, code: -32000, data: { httpStatus, holdfastCode } } });
const okPreauth = { result: { data: { result: 'enroll' } } };

describe('[SDK_RETRY_POLICY] which failures move on to the next gateway', () => {
  let down: Awaited<ReturnType<typeof fixedServer>>;
  let refusing: Awaited<ReturnType<typeof fixedServer>>;
  let healthy: Awaited<ReturnType<typeof fixedServer>>;
  let closedUrl = '';
  beforeAll(async () => {
    down = await fixedServer(503, errorBody(503, 'DATABASE_UNAVAILABLE'));
    refusing = await fixedServer(404, errorBody(404, 'USER_NOT_FOUND'));
    healthy = await fixedServer(200, okPreauth);
    const closed = await fixedServer(200, okPreauth);
    closedUrl = closed.url;
    await closed.close(); // nothing listens there any more: connection refused
  });
  afterAll(async () => {
    await Promise.all([down.close(), refusing.close(), healthy.close()]);
  });

  it('a 5xx moves an idempotent call on to the next gateway', async () => {
    const client = createHoldfastClient({ gateways: [down.url, healthy.url], apiKey, probeIntervalMs: 0 });
    expect(await client.preauth({ userId: 'u' })).toEqual({ result: 'enroll' });
    expect(down.hits()).toBeGreaterThan(0);
  });

  it('a 4xx is an answer: no other gateway is asked', async () => {
    const before = healthy.hits();
    const client = createHoldfastClient({ gateways: [refusing.url, healthy.url], apiKey, probeIntervalMs: 0 });
    const error = await client.preauth({ userId: 'u' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HoldfastApiError);
    expect(error).toMatchObject({ code: 'USER_NOT_FOUND', httpStatus: 404 });
    expect(healthy.hits()).toBe(before);
  });

  it('an unavailable call tells every try: the gateway, its reason, when it was sent and how long it took', async () => {
    const client = createHoldfastClient({ gateways: [down.url, closedUrl], apiKey, probeIntervalMs: 0, deadlineMs: 400 });
    const error = await client.preauth({ userId: 'u' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HoldfastUnavailableError);
    const { tries, failures } = error as HoldfastUnavailableError;
    expect(tries.length).toBeGreaterThanOrEqual(2);
    expect(tries[0]).toMatchObject({ gateway: down.url, reason: '503 DATABASE_UNAVAILABLE', isHedge: false });
    expect(tries[1]).toMatchObject({ gateway: closedUrl, reason: 'ECONNREFUSED', isHedge: false });
    for (const [i, t] of tries.entries()) {
      expect(t.ms).toBeGreaterThanOrEqual(0);
      expect(t.atMs).toBeGreaterThanOrEqual(i === 0 ? 0 : (tries[i - 1]?.atMs ?? 0));
      expect(t.atMs).toBeLessThan(400);
    }
    // `failures`: the last reason per gateway (a last try cut short by the deadline says `deadline`).
    const lastReason = (url: string): string | undefined => tries.findLast((t) => t.gateway === url)?.reason;
    expect(failures).toEqual([
      { gateway: down.url, reason: lastReason(down.url) },
      { gateway: closedUrl, reason: lastReason(closedUrl) },
    ]);
  });

  it('a non-idempotent call is re-sent only when the first gateway surely never got it', async () => {
    const viaClosed = createHoldfastClient({ gateways: [closedUrl, healthy.url], apiKey, probeIntervalMs: 0 });
    const before = healthy.hits();
    await viaClosed.createEnrollmentLink({ userId: 'u' }).catch(() => undefined);
    expect(healthy.hits()).toBe(before + 1); // refused → safe to send elsewhere

    const viaDown = createHoldfastClient({ gateways: [down.url, healthy.url], apiKey, probeIntervalMs: 0 });
    const error = await viaDown.createEnrollmentLink({ userId: 'u' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HoldfastUnavailableError);
    expect(healthy.hits()).toBe(before + 1); // a 503 may have committed: not re-sent
  });
});

describe('[SDK_ROUTING] readiness preference and hedging', () => {
  const servers: { close: () => Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  /** A gateway-like peer: /readyz answers `ready`; /trpc answers after `delayMs`, recording attempt ids. */
  // `readyDelayMs` puts a peer in a later 20-ms latency band, so the SDK's order does not hang on
  // probe noise (beside a CI run a 0-ms peer's probe took over 60 ms and swapped places).
  // `silent`: /readyz gets no answer (the connection is dropped), like a gateway whose region is cut off.
  async function peer(options: {
    ready: boolean;
    region: string;
    delayMs: number;
    gatewayId: string;
    readyDelayMs?: number;
    refuseFirst?: number;
    silent?: boolean;
  }) {
    const attempts: string[] = [];
    let refusals = options.refuseFirst ?? 0;
    let isReady = options.ready;
    const server = http.createServer((req, res) => {
      if (req.url === '/readyz') {
        if (options.silent === true) {
          req.socket.destroy();
          return;
        }
        setTimeout(() => {
          res.writeHead(isReady ? 200 : 503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ready: isReady, region: options.region }));
        }, options.readyDelayMs ?? 0);
        return;
      }
      if (refusals > 0) {
        refusals -= 1;
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
        res.end(JSON.stringify(errorBody(503, 'GATEWAY_OVERLOADED')));
        return;
      }
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        attempts.push((JSON.parse(body) as { attemptId: string }).attemptId);
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              result: {
                data: {
                  attemptId: 'x',
                  outcome: 'accepted',
                  reason: null,
                  factorId: null,
                  decidedAt: '',
                  gatewayId: options.gatewayId,
                  region: options.region,
                },
              },
            }),
          );
        }, options.delayMs);
      });
    });
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', () => {
        resolve();
      }),
    );
    const handle = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      attempts,
      /** What /readyz says from now on (a region cut off after the call began). */
      setReady: (ready: boolean) => {
        isReady = ready;
      },
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => {
            resolve();
          });
        }),
    };
    servers.push(handle);
    return handle;
  }

  it('sends to a ready gateway before an unready one listed first', async () => {
    const unready = await peer({ ready: false, region: 'r1', delayMs: 0, gatewayId: 'unready' });
    const ready = await peer({ ready: true, region: 'r2', delayMs: 0, gatewayId: 'ready' });
    const client = createHoldfastClient({ gateways: [unready.url, ready.url], apiKey, probeIntervalMs: 60_000 });
    await client.refreshHealth();
    const result = await client.verifyTotp({ userId: 'u', code: '123456' });
    client.close();
    expect(result.gatewayId).toBe('ready');
    expect(unready.attempts).toHaveLength(0);
  });

  /** One verification through a client that hedges after 200 ms, with the gateways probed first. */
  async function hedgedVerify(gateways: { url: string }[], attemptId: string): Promise<{ gatewayId: string; elapsed: number }> {
    const client = createHoldfastClient({ gateways: gateways.map((g) => g.url), apiKey, probeIntervalMs: 0, hedgeAfterMs: 200, tryTimeoutMs: 5_000 });
    await client.refreshHealth();
    const started = performance.now();
    const result = await client.verifyTotp({ userId: 'u', code: '123456', attemptId });
    const elapsed = performance.now() - started;
    client.close();
    return { gatewayId: result.gatewayId, elapsed };
  }

  it('hedges a slow request to another region with the same attempt id; the first answer wins', async () => {
    const slow = await peer({ ready: true, region: 'r1', delayMs: 2_000, gatewayId: 'slow' });
    const sameRegion = await peer({ ready: true, region: 'r1', delayMs: 0, gatewayId: 'same-region', readyDelayMs: 150 });
    const other = await peer({ ready: true, region: 'r2', delayMs: 0, gatewayId: 'other-region', readyDelayMs: 300 });
    const { gatewayId, elapsed } = await hedgedVerify([slow, sameRegion, other], 'hedged-attempt');
    expect(gatewayId).toBe('other-region');
    expect(elapsed).toBeLessThan(1_500);
    expect(slow.attempts).toEqual(['hedged-attempt']);
    expect(other.attempts).toEqual(['hedged-attempt']);
    expect(sameRegion.attempts).toHaveLength(0);
  });

  it('a hedge refused in one other region tries the next other region, not the slow first one', async () => {
    const slow = await peer({ ready: true, region: 'r1', delayMs: 2_000, gatewayId: 'slow' });
    const sameRegion = await peer({ ready: true, region: 'r1', delayMs: 0, gatewayId: 'same-region', readyDelayMs: 300 });
    const busy = await peer({ ready: true, region: 'r2', delayMs: 0, gatewayId: 'busy', refuseFirst: 1, readyDelayMs: 150 });
    const other = await peer({ ready: true, region: 'r3', delayMs: 0, gatewayId: 'third-region', readyDelayMs: 450 });
    // The slow one (r1) hangs; at 200 ms the hedge goes to r2, which refuses (overloaded), then to r3.
    const { gatewayId, elapsed } = await hedgedVerify([slow, sameRegion, busy, other], 'hedge-walk');
    expect(gatewayId).toBe('third-region');
    expect(elapsed).toBeLessThan(1_500);
    expect(slow.attempts).toEqual(['hedge-walk']);
    expect(other.attempts).toEqual(['hedge-walk']);
    expect(sameRegion.attempts).toHaveLength(0);
  });

  it('the hedge leaves the region the first half waits on now, not the region of its first choice', async () => {
    const busy = await peer({ ready: true, region: 'r1', delayMs: 0, gatewayId: 'busy', refuseFirst: 1 });
    const hung = await peer({ ready: true, region: 'r2', delayMs: 5_000, gatewayId: 'hung', readyDelayMs: 150 });
    const other = await peer({ ready: true, region: 'r3', delayMs: 0, gatewayId: 'third-region', readyDelayMs: 300 });
    // `busy` (first choice) refuses, the first half goes on to `hung`; at 200 ms the hedge must
    // leave r2 (where the first half waits), so it goes to r3 — `busy` rests after its refusal.
    const { gatewayId, elapsed } = await hedgedVerify([busy, hung, other], 'hedge-from-where-stuck');
    expect(gatewayId).toBe('third-region');
    expect(elapsed).toBeLessThan(1_500);
    expect(hung.attempts).toEqual(['hedge-from-where-stuck']);
    expect(other.attempts).toEqual(['hedge-from-where-stuck']);
  });

  it('when both halves of a hedge fail, the error holds the tries of both', async () => {
    const hung = await peer({ ready: true, region: 'r1', delayMs: 5_000, gatewayId: 'hung' });
    const busy = await peer({ ready: true, region: 'r2', delayMs: 0, gatewayId: 'busy', refuseFirst: 100, readyDelayMs: 150 });
    const client = createHoldfastClient({
      gateways: [hung.url, busy.url],
      apiKey,
      probeIntervalMs: 0,
      hedgeAfterMs: 200,
      tryTimeoutMs: 5_000,
      deadlineMs: 1_500,
    });
    await client.refreshHealth();
    const error = await client.verifyTotp({ userId: 'u', code: '123456', attemptId: 'both-fail' }).catch((e: unknown) => e);
    client.close();
    expect(error).toBeInstanceOf(HoldfastUnavailableError);
    const { tries } = error as HoldfastUnavailableError;
    // The first half waited on `hung` until the deadline; the hedge was refused by `busy` (Retry-After
    // 1 s) at 200 ms and again at ~1.2 s (a last try just before the deadline may be cut short).
    expect(tries.filter((t) => !t.isHedge).map((t) => [t.gateway, t.reason])).toEqual([[hung.url, 'deadline']]);
    const hedged = tries.filter((t) => t.isHedge);
    expect(hedged.every((t) => t.gateway === busy.url && t.atMs >= 200)).toBe(true);
    expect(hedged.filter((t) => t.reason === 'GATEWAY_OVERLOADED').length).toBeGreaterThanOrEqual(2);
  });

  it('a gateway whose probe got no answer is not tried while another only rests after a refusal (even one answering 503 not ready)', async () => {
    const busy = await peer({ ready: false, region: 'r2', delayMs: 0, gatewayId: 'busy', refuseFirst: 1 });
    const cut = await peer({ ready: false, region: 'r1', delayMs: 5_000, gatewayId: 'cut', silent: true });
    const client = createHoldfastClient({ gateways: [busy.url, cut.url], apiKey, probeIntervalMs: 60_000, tryTimeoutMs: 3_000, deadlineMs: 5_000 });
    await client.refreshHealth();
    const started = performance.now();
    // `busy` (alive, waiting for a new primary: 503 on /readyz) refuses (Retry-After 1 s); `cut`
    // would hang the try: wait for `busy` instead.
    const result = await client.verifyTotp({ userId: 'u', code: '123456', attemptId: 'wait-for-busy' });
    const elapsed = performance.now() - started;
    client.close();
    expect(result.gatewayId).toBe('busy');
    expect(cut.attempts).toHaveLength(0);
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(2_500);
  });

  it('after a try times out, the next goes to a gateway ready now, not to one that stopped answering probes after the call began', async () => {
    const slow = await peer({ ready: true, region: 'r1', delayMs: 1_000, gatewayId: 'slow' });
    const cut = await peer({ ready: true, region: 'r2', delayMs: 5_000, gatewayId: 'cut', readyDelayMs: 150 });
    const good = await peer({ ready: true, region: 'r3', delayMs: 0, gatewayId: 'good', readyDelayMs: 300 });
    const client = createHoldfastClient({ gateways: [slow.url, cut.url, good.url], apiKey, probeIntervalMs: 0, tryTimeoutMs: 600, deadlineMs: 5_000 });
    await client.refreshHealth(); // slow, cut, good: all ready, in that order
    const call = client.verifyTotp({ userId: 'u', code: '123456', attemptId: 'rerank' });
    // While the first try waits on `slow`, `cut`'s region is cut off and a probe sees it.
    cut.setReady(false);
    await client.refreshHealth();
    const result = await call;
    client.close();
    expect(result.gatewayId).toBe('good');
    expect(slow.attempts).toEqual(['rerank']);
    expect(cut.attempts).toHaveLength(0);
  });
});

/** Answers the first `refusals` requests with `refusal`, then like `then`. */
async function refusingFirst(refusals: number, refusal: { status: number; body: unknown }, then: unknown): Promise<Awaited<ReturnType<typeof fixedServer>>> {
  let hits = 0;
  const server = http.createServer((_req, res) => {
    hits += 1;
    const isRefused = hits <= refusals;
    res.writeHead(isRefused ? refusal.status : 200, { 'content-type': 'application/json', ...(isRefused ? { 'retry-after': '1' } : {}) });
    res.end(JSON.stringify(isRefused ? refusal.body : then));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    close: () =>
      new Promise((resolve) =>
        server.close(() => {
          resolve();
        }),
      ),
  };
}

const overloaded = { status: 503, body: errorBody(503, 'GATEWAY_OVERLOADED') };
const rateLimited = {
  status: 429,
  body: { error: { message: 'slow down', code: -32029, data: { httpStatus: 429, holdfastCode: 'RATE_LIMITED', retryAfterSeconds: 5 } } },
};
const okLink = { result: { data: { url: 'http://localhost:3000/enroll#t', expiresAt: new Date().toISOString() } } };

describe('[SDK_REFUSED_ELSEWHERE] a refusal before any work goes to another gateway, and that gateway rests for Retry-After', () => {
  it('503 GATEWAY_OVERLOADED: even a non-idempotent call is sent on at once; the busy gateway is skipped next time', async () => {
    const busy = await refusingFirst(1_000, overloaded, okLink);
    const healthy = await fixedServer(200, okLink);
    const client = createHoldfastClient({ gateways: [busy.url, healthy.url], apiKey, probeIntervalMs: 0 });
    await client.createEnrollmentLink({ userId: 'u' });
    expect([busy.hits(), healthy.hits()]).toEqual([1, 1]);
    await client.createEnrollmentLink({ userId: 'u' });
    expect([busy.hits(), healthy.hits()]).toEqual([1, 2]); // resting: not asked again within its Retry-After
    await Promise.all([busy.close(), healthy.close()]);
  });

  it('503 GATEWAY_OVERLOADED everywhere: waits for Retry-After, then the same request is answered', async () => {
    const busy = await refusingFirst(1, overloaded, okPreauth);
    const client = createHoldfastClient({ gateways: [busy.url], apiKey, probeIntervalMs: 0 });
    expect(await client.preauth({ userId: 'u' })).toEqual({ result: 'enroll' });
    expect(busy.hits()).toBe(2);
    await busy.close();
  });

  it('429 RATE_LIMITED: another gateway answers; when every gateway says so, the caller is told (no hammering)', async () => {
    const limited = await refusingFirst(1_000, rateLimited, okPreauth);
    const healthy = await fixedServer(200, okPreauth);
    const client = createHoldfastClient({ gateways: [limited.url, healthy.url], apiKey, probeIntervalMs: 0 });
    expect(await client.preauth({ userId: 'u' })).toEqual({ result: 'enroll' });
    expect(healthy.hits()).toBe(1);

    const alsoLimited = await refusingFirst(1_000, rateLimited, okPreauth);
    const onlyLimited = createHoldfastClient({ gateways: [limited.url, alsoLimited.url], apiKey, probeIntervalMs: 0 });
    const before = limited.hits();
    const error = await onlyLimited.preauth({ userId: 'u' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', httpStatus: 429 });
    expect([limited.hits() - before, alsoLimited.hits()]).toEqual([1, 1]);
    await Promise.all([limited.close(), alsoLimited.close(), healthy.close()]);
  });
});
