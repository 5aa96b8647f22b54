// Seeding: users with an active TOTP factor each, written with COPY (issue 9: "COPY, not row by
// row"), and the history fill. pg has no COPY stream of its own and pg-copy-streams is not
// installed, but pg accepts any "submittable" query object and routes the protocol's
// CopyInResponse to it — so `CopyFrom` below sends `COPY … FROM STDIN`, answers with the data
// and CopyDone, and settles on ReadyForQuery. Secrets are AES-GCM encrypted per factor with
// AAD = factor id (invariant 6), exactly as enrollment stores them.
import { randomBytes, randomUUID } from 'node:crypto';
import { createTotpSecret, encryptSecret, totpSecretAad, type Keyring } from '@holdfast/core';
import type pg from 'pg';
import { createUserSet, secretBytes, type UserSet } from './users';

/** The part of pg's connection a COPY needs (its type declarations leave these out). */
interface CopyWire {
  query: (text: string) => void;
  sendCopyFromChunk: (chunk: Buffer) => void;
  endCopyFrom: () => void;
}

function isCopyWire(value: unknown): value is CopyWire {
  const wire = value as Partial<Record<keyof CopyWire, unknown>>;
  return typeof wire.query === 'function' && typeof wire.sendCopyFromChunk === 'function' && typeof wire.endCopyFrom === 'function';
}

/** `COPY … FROM STDIN` through pg's submittable hook; `done` settles when the server is ready again. */
class CopyFrom implements pg.Submittable {
  readonly done: Promise<void>;
  private settle: (error: Error | null) => void = () => undefined;
  private error: Error | null = null;

  constructor(
    private readonly text: string,
    private readonly data: Buffer,
  ) {
    this.done = new Promise((resolve, reject) => {
      this.settle = (error) => {
        if (error === null) resolve();
        else reject(error);
      };
    });
  }

  submit(connection: pg.Connection): void {
    if (!isCopyWire(connection)) throw new Error('this pg version has no copy-from methods on its connection');
    connection.query(this.text);
  }

  handleCopyInResponse(connection: unknown): void {
    if (!isCopyWire(connection)) return;
    // 256 KiB CopyData messages: the server's buffer, not one huge message.
    for (let offset = 0; offset < this.data.length; offset += 256 * 1024) connection.sendCopyFromChunk(this.data.subarray(offset, offset + 256 * 1024));
    connection.endCopyFrom();
  }

  handleError(error: Error): void {
    // pg drops the active query on an error message, so ReadyForQuery will not reach us: settle now.
    this.error = error;
    this.settle(error);
  }

  handleReadyForQuery(): void {
    this.settle(this.error);
  }

  // The rest of the protocol a simple query can produce; a COPY has no rows.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleCommandComplete(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

export async function copyFrom(client: pg.ClientBase, text: string, rows: string): Promise<void> {
  const copy = new CopyFrom(text, Buffer.from(rows, 'utf8'));
  client.query(copy);
  await copy.done;
}

/** COPY text format: backslash, tab and newline escaped; the values here never hold others. */
const field = (value: string): string => value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');

/**
 * Seeds `count` users `${prefix}0…` for `applicationId`, each with an active TOTP factor (period 1
 * s), in batches of `batch` rows per table per transaction. Cache-notify triggers and FK checks
 * are off in this session when allowed (superuser): they are per-row work a bulk load of rows no
 * gateway has cached does not need (the gateway is told nothing it had).
 */
export async function seedUsers(options: {
  pool: pg.Pool;
  applicationId: string;
  keyring: Keyring;
  prefix: string;
  count: number;
  batch?: number;
  onProgress?: (done: number) => void;
}): Promise<UserSet> {
  const batch = options.batch ?? 20_000;
  const secrets = randomBytes(options.count * secretBytes);
  const users = createUserSet(options.prefix, options.count, secrets);
  const client = await options.pool.connect();
  try {
    await client.query("SET session_replication_role = 'replica'").catch(() => undefined);
    for (let start = 0; start < options.count; start += batch) {
      const end = Math.min(options.count, start + batch);
      let userRows = '';
      let factorRows = '';
      let totpRows = '';
      for (let i = start; i < end; i += 1) {
        const userId = randomUUID();
        const factorId = randomUUID();
        const bytes = secrets.subarray(i * secretBytes, (i + 1) * secretBytes);
        const base32 = createTotpSecret({ random: () => new Uint8Array(bytes), algorithm: 'SHA1' });
        const secretEnc = encryptSecret({
          keyring: options.keyring,
          plaintext: base32,
          aad: totpSecretAad(factorId),
          random: (size) => new Uint8Array(randomBytes(size)),
        });
        userRows += `${userId}\t${options.applicationId}\t${field(`${options.prefix}${i}`)}\n`;
        factorRows += `${factorId}\t${userId}\ttotp\tbench\tactive\n`;
        totpRows += `${factorId}\t${field(secretEnc)}\t1\n`;
      }
      await client.query('BEGIN');
      await copyFrom(client, 'COPY users (id, application_id, external_id) FROM STDIN', userRows);
      await copyFrom(client, 'COPY factors (id, user_id, kind, label, status) FROM STDIN', factorRows);
      await copyFrom(client, 'COPY totp_factors (factor_id, secret_enc, period) FROM STDIN', totpRows);
      await client.query('COMMIT');
      options.onProgress?.(end);
    }
    await client.query('ANALYZE users; ANALYZE factors; ANALYZE totp_factors');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.query('RESET session_replication_role').catch(() => undefined);
    client.release();
  }
  return users;
}

/** The floors' own rows (one user + factor per worker), so the floors never touch the factors the HTTP targets verify. */
export async function seedFloorRows(pool: pg.Pool, applicationId: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let w = 0; w < count; w += 1) {
    const userId = randomUUID();
    const factorId = randomUUID();
    await pool.query('INSERT INTO users (id, application_id, external_id) VALUES ($1, $2, $3)', [userId, applicationId, `floor-${w}-${randomUUID()}`]);
    await pool.query("INSERT INTO factors (id, user_id, kind, label, status) VALUES ($1, $2, 'totp', 'floor', 'active')", [factorId, userId]);
    await pool.query("INSERT INTO totp_factors (factor_id, secret_enc, period) VALUES ($1, 'unused', 1)", [factorId]);
    ids.push(factorId);
  }
  return ids;
}

/**
 * `--history N`: N attempt rows and N audit rows spread over the last 90 days, server side
 * (generate_series), in chunks of a million so no transaction grows without bound. They belong to
 * a user id no request uses: only the tables' (and their indexes') size changes. Attempt ids are
 * random, as relying applications make them, so the unique (application, attempt id) index is
 * filled across the whole key range the live requests insert into.
 */
export async function fillHistory(options: { pool: pg.Pool; applicationId: string; rows: number; onProgress?: (done: number) => void }): Promise<void> {
  const chunk = 1_000_000;
  for (let start = 0; start < options.rows; start += chunk) {
    const end = Math.min(options.rows, start + chunk);
    await options.pool.query(
      `INSERT INTO verification_attempts (id, application_id, attempt_id, request_hash, request_key_id, user_id, factor_id, outcome, reason, gateway_id, region, created_at)
       SELECT gen_random_uuid(), $1, gen_random_uuid()::text, '\\x00'::bytea, 'b1', '00000000-0000-4000-8000-000000000000', NULL,
              (CASE WHEN g % 10 = 0 THEN 'rejected' ELSE 'accepted' END)::attempt_outcome, CASE WHEN g % 10 = 0 THEN 'wrong_code' END,
              'gw-history', 'history', now() - (random() * interval '90 days')
         FROM generate_series($2::bigint, $3::bigint) AS g`,
      [options.applicationId, start, end - 1],
    );
    await options.pool.query(
      `INSERT INTO audit_events (occurred_at, type, gateway_id, region, application_id, user_id, factor_id, attempt_id, detail)
       SELECT now() - (random() * interval '90 days'), 'verify.accepted', 'gw-history', 'history', $1, '00000000-0000-4000-8000-000000000000', NULL,
              'history-' || g, '{"kind":"totp"}'::jsonb
         FROM generate_series($2::bigint, $3::bigint) AS g`,
      [options.applicationId, start, end - 1],
    );
    options.onProgress?.(end);
  }
  await options.pool.query('ANALYZE verification_attempts; ANALYZE audit_events');
}
