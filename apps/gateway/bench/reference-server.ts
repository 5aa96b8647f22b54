// Reference (c) of `npm run bench`: the least a gateway must do per TOTP verification, with no
// framework — node:http, pg, and core's crypto and TOTP check. Per request: parse the JSON body,
// check the bearer API key (SHA-256, constant time; the gateway caches the key row too, so no
// read), one read of the user's factor row, decrypt the secret (AES-GCM, AAD = factor id),
// check the code, and floor (b)'s one-statement write (CAS + factor + user + attempt + audit);
// answer in tRPC's wire shape. Not a product: no lockout counting, no replays, no schemas —
// it shows what the database work costs when almost nothing else is done.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { checkTotpCode, decryptSecret, parseKeyring, totpSecretAad, type TotpAlgorithm } from '@holdfast/core';
import pg from 'pg';
import { readReferenceEnv } from './env';
import { durableVerificationStatement, factorReadStatement } from './statements';

const env = readReferenceEnv();
const pool = new pg.Pool({ connectionString: env.REFERENCE_DATABASE_URL, max: env.REFERENCE_POOL_MAX });
pool.on('error', (error) => {
  console.error(`reference pool: ${error.message}`);
});
const keyring = parseKeyring({ keys: env.REFERENCE_ENCRYPTION_KEYS, activeKeyId: env.REFERENCE_ACTIVE_KEY_ID });
const expectedSecretHash = Buffer.from(env.REFERENCE_SECRET_HASH, 'hex');
const requestKey = Buffer.from(keyring.keys.get(keyring.activeKeyId) ?? []);
const bearerPrefix = `Bearer hf_${env.REFERENCE_KEY_ID}_`;

interface FactorRow {
  user_id: string;
  factor_id: string;
  secret_enc: string;
  algorithm: TotpAlgorithm;
  digits: 6 | 8;
  period: number;
  last_step: string;
}

function send(response: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

const refuse = (response: http.ServerResponse, status: number, code: string): void => {
  send(response, status, { error: { message: code, code: -32600, data: { holdfastCode: code, httpStatus: status } } });
};

function isAuthorized(header: string | undefined): boolean {
  if (header?.startsWith(bearerPrefix) !== true) return false;
  const candidate = createHash('sha256').update(header.slice(bearerPrefix.length), 'utf8').digest();
  return timingSafeEqual(candidate, expectedSecretHash);
}

async function verify(input: { userId: string; code: string; attemptId: string }): Promise<{ outcome: 'accepted' | 'rejected'; reason: string | null }> {
  const { rows } = await pool.query<FactorRow>({ name: 'reference_read', text: factorReadStatement, values: [env.REFERENCE_APPLICATION_ID, input.userId] });
  const factor = rows[0];
  if (factor === undefined) return { outcome: 'rejected', reason: 'factor_not_found' };
  const secret = decryptSecret({ keyring, envelope: factor.secret_enc, aad: totpSecretAad(factor.factor_id) });
  const now = new Date();
  const check = await checkTotpCode({
    secret,
    code: input.code,
    params: { algorithm: factor.algorithm, digits: factor.digits, period: factor.period },
    now,
    lastStep: Number(factor.last_step),
  });
  if (!check.matched || check.isReplay) return { outcome: 'rejected', reason: check.matched ? 'replay' : 'wrong_code' };
  // The request hash the gateway stores (an HMAC binding the attempt id to this request, invariant 3).
  const requestHash = createHmac('sha256', requestKey).update(`totp\n${input.userId}\n${factor.factor_id}\n${input.code}`).digest();
  const written = await pool.query({
    name: 'reference_write',
    text: durableVerificationStatement,
    values: [factor.factor_id, check.step, now, env.REFERENCE_APPLICATION_ID, input.attemptId, requestHash, keyring.activeKeyId, 'gw-reference', 'bench'],
  });
  return written.rowCount === 1 ? { outcome: 'accepted', reason: null } : { outcome: 'rejected', reason: 'replay' };
}

const server = http.createServer((request, response) => {
  if (request.method !== 'POST' || request.url !== '/trpc/verify.totp') {
    refuse(response, 404, 'NOT_FOUND');
    return;
  }
  if (!isAuthorized(request.headers.authorization)) {
    refuse(response, 401, 'UNAUTHORIZED');
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= 16 * 1024) chunks.push(chunk);
  });
  request.on('end', () => {
    let input: { userId: string; code: string; attemptId: string };
    try {
      const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      if (typeof parsed.userId !== 'string' || typeof parsed.code !== 'string' || typeof parsed.attemptId !== 'string') throw new Error('bad input');
      input = { userId: parsed.userId, code: parsed.code, attemptId: parsed.attemptId };
    } catch {
      refuse(response, 400, 'BAD_REQUEST');
      return;
    }
    verify(input).then(
      (result) => {
        send(response, 200, { result: { data: { attemptId: input.attemptId, outcome: result.outcome, reason: result.reason, replayed: false } } });
      },
      (error: unknown) => {
        console.error(error);
        refuse(response, 500, 'INTERNAL');
      },
    );
  });
});
server.keepAliveTimeout = 60_000;
server.listen(env.REFERENCE_PORT, '127.0.0.1', () => {
  console.log(`reference server listening on ${env.REFERENCE_PORT}`);
});
const shutdown = (): void => {
  server.close();
  void pool.end().finally(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
