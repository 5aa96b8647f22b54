// The four things measured side by side, each as "send one request as worker w":
// (a) the bare CAS and (b) the one-statement durable verification, straight through `pg`;
// (c) the reference server and (d) the gateway, over HTTP with tRPC's wire format; (e) the same
// gateway with its audit sealer off (sealing.ts), for the cost of sealing.
import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { RequestTimeout, type HttpClient } from './http-client';
import type { OpenOutcome, Outcome } from './load';
import { casStatement, durableVerificationStatement } from './statements';
import type { Credential } from './users';

export type TargetName = 'cas' | 'durable' | 'reference' | 'gateway' | 'gatewaySealOff';

export const targetLabels: Record<TargetName, string> = {
  cas: '(a) CAS floor (1 UPDATE, pg)',
  durable: '(b) durable floor (1 CTE, pg)',
  reference: '(c) reference node:http+pg',
  gateway: '(d) gateway verify.totp',
  gatewaySealOff: '(e) (d) with its sealer off',
};

/**
 * Floors (a) and (b) on rows of their own (one factor per worker, so workers never wait on each
 * other's row lock, as different users' verifications do not), with a step that only grows —
 * far above real time steps — so every compare-and-set wins.
 */
export function floorTargets(options: {
  pool: pg.Pool;
  applicationId: string;
  floorFactorIds: string[];
}): Record<'cas' | 'durable', (worker: number) => Promise<Outcome>> {
  let step = 1_000_000_000_000;
  // A request hash is an HMAC: 32 bytes; its value does not matter to the database.
  const requestHash = randomBytes(32);
  const factorFor = (worker: number): string => {
    const id = options.floorFactorIds[worker];
    if (id === undefined) throw new Error(`no floor row for worker ${worker}`);
    return id;
  };
  return {
    cas: async (worker) => {
      step += 1;
      const result = await options.pool.query({ name: 'bench_cas', text: casStatement, values: [factorFor(worker), step] });
      return result.rowCount === 1 ? { ok: true, kind: 'ok' } : { ok: false, kind: 'cas-lost' };
    },
    durable: async (worker) => {
      step += 1;
      const result = await options.pool.query({
        name: 'bench_durable',
        text: durableVerificationStatement,
        values: [factorFor(worker), step, new Date(), options.applicationId, randomUUID(), requestHash, 'b1', 'gw-floor', 'bench'],
      });
      return result.rowCount === 1 ? { ok: true, kind: 'ok' } : { ok: false, kind: 'not-written' };
    },
  };
}

const holdfastCodePattern = /"holdfastCode":"([A-Z_]+)"/;
const reasonPattern = /"reason":"([a-z_]+)"/;

/** Names what a verify.totp answer was without parsing it whole (the client's CPU is the server's too). */
export function classify(status: number, body: string): Outcome {
  if (status === 200 && body.includes('"outcome":"accepted"')) return { ok: true, kind: 'accepted' };
  const kind = holdfastCodePattern.exec(body)?.[1] ?? reasonPattern.exec(body)?.[1] ?? `http ${status}`;
  return { ok: false, kind };
}

/** verify.totp over tRPC's wire format: POST /trpc/verify.totp, the input as the JSON body, the API key as a bearer token. */
export function httpTarget(
  client: HttpClient,
  apiKey: string,
  pick: (worker: number) => Promise<Credential> | Credential,
): (worker: number) => Promise<Outcome> {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` };
  return async (worker) => {
    const { userId, code } = await pick(worker);
    const response = await client.post('/trpc/verify.totp', headers, JSON.stringify({ userId, code, attemptId: randomUUID() }));
    return classify(response.status, response.body);
  };
}

/** The same request for the open loop: refusals (429/503) and timeouts told apart from answers. */
export function openTarget(client: HttpClient, apiKey: string, pick: () => Credential, timeoutMs: number): () => Promise<OpenOutcome> {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` };
  return async () => {
    const { userId, code } = pick();
    try {
      const response = await client.post('/trpc/verify.totp', headers, JSON.stringify({ userId, code, attemptId: randomUUID() }), timeoutMs);
      if (response.status === 429 || response.status === 503) return { kind: 'refused', status: response.status, hasRetryAfter: response.retryAfter !== null };
      const outcome = classify(response.status, response.body);
      return { kind: 'admitted', ok: outcome.ok, detail: outcome.kind };
    } catch (error) {
      return { kind: error instanceof RequestTimeout ? 'timeout' : 'error' };
    }
  };
}
