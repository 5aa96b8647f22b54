import { decideVerification, refusalBeforeCheck, timeOrderedUuid, type CheckOutcome, type LockoutPolicy } from '@holdfast/core';
import { auditInsertFrom, queryDescribedOnce, runAtomicStatement } from '@holdfast/db';
import { createHash } from 'node:crypto';
import type { FactorRejectReason, FactorStatus } from '@holdfast/validators';
import type { ServiceDeps } from '../../deps';
import { hashAttemptRequest } from './attempt-request-hash';
import { factorSecretsOf, type FactorSecretColumns, type LockedFactor } from './locked-factor';
import { toVerificationResult, type VerificationResult, type VerifiedFactorKind } from './verification-result';

/** An unused recovery code of the factor, read in the first round trip (only its tag narrows the scrypt). */
export interface RecoveryCandidate {
  id: string;
  lookupTag: number | null;
  salt: Buffer;
  hash: Buffer;
}

/** Numbers a value as a parameter of the enclosing statement and returns its placeholder (`$7`). */
export type SqlParam = (value: unknown) => string;

/**
 * The rows a verification uses up, in two parts: `lock` is joined into the statement's locking
 * read (aliases: `u` user, `f` factor) and names the rows in the state that makes them usable —
 * e.g. `JOIN totp_factors t ON t.factor_id = f.id AND t.last_step < $9`; `writes` use them up,
 * each an `UPDATE … WHERE …` without RETURNING. Because the lock is taken on exactly that state,
 * the writes cannot miss, and the statement writes everything or nothing.
 */
export interface ConsumeClause {
  lock: string;
  writes: string[];
}

/**
 * What a factor's check decided without touching the database. A match always names what it uses
 * up (the type insists: an accepted code that consumed nothing would break invariant 1); a miss
 * may too (a WebAuthn challenge is spent by any answer).
 */
export type FastCheck =
  | { outcome: { isMatch: true }; consume: (param: SqlParam) => ConsumeClause }
  | { outcome: { isMatch: false; reason: FactorRejectReason }; consume: ((param: SqlParam) => ConsumeClause) | null };

/** The WebAuthn part of the read: the challenge answered, the credential and the application's policy. */
export interface WebauthnSnapshot {
  challenge: { bytes: Buffer; isConsumed: boolean; isLive: boolean } | null;
  backupEligible: boolean;
  policy: { rpId: string; allowedOrigins: string[]; userVerification: 'required' | 'preferred' };
}

/**
 * A factor kind's part of the two-round-trip path. `evaluate` returns null to hand the decision to
 * the locked path (e.g. a cloned WebAuthn credential: its suspension writes more than this path does).
 */
export interface FastVerification {
  /** Read the factor's unused recovery codes in the first round trip. */
  readsRecoveryCandidates?: boolean;
  /** Choose the factor by this credential and read this challenge (WebAuthn). */
  webauthn?: { credentialId: Buffer; challengeId: string };
  evaluate: (input: {
    factor: LockedFactor;
    recoveryCandidates: RecoveryCandidate[];
    webauthn: WebauthnSnapshot | null;
    now: Date;
  }) => Promise<FastCheck | null>;
}

interface SnapshotRow extends FactorSecretColumns {
  user_id: string;
  user_version: string;
  account_failed_count: number;
  account_locked_until: Date | null;
  factor_id: string | null;
  factor_version: string | null;
  status: FactorStatus | null;
  failed_count: number | null;
  locked_until: Date | null;
  backup_eligible: boolean | null;
  is_recorded: boolean;
  recovery_candidates: { id: string; tag: number | null; salt: string; hash: string }[] | null;
  challenge: Buffer | null;
  challenge_consumed: boolean | null;
  challenge_live: boolean | null;
  rp_id: string | null;
  allowed_origins: string[] | null;
  user_verification: 'required' | 'preferred' | null;
}

/**
 * Round trip 1: everything the decision needs, without locks — the user's counters, the factor the
 * locked path would choose (`lockFactor`'s order: active first, newest; for WebAuthn the one
 * holding the credential), its TOTP or WebAuthn state, whether the attempt id is recorded, and
 * per kind the unused recovery codes or the challenge and the application's WebAuthn policy.
 * `xmin` is each row's version: any committed change to the row (a counter, a lock, an unlock, a
 * revoke) gives it a new one.
 */
function snapshotQuery(fast: FastVerification): string {
  // Three texts in all (plain, recovery codes, WebAuthn): built once, not per request.
  const key = `${String(fast.readsRecoveryCandidates === true)}/${String(fast.webauthn !== undefined)}`;
  let text = snapshotTexts.get(key);
  if (text === undefined) {
    text = buildSnapshotQuery(fast);
    snapshotTexts.set(key, text);
  }
  return text;
}
const snapshotTexts = new Map<string, string>();

function buildSnapshotQuery(fast: FastVerification): string {
  const recovery =
    fast.readsRecoveryCandidates === true
      ? `(SELECT json_agg(json_build_object('id', rc.id, 'tag', rc.lookup_tag, 'salt', encode(rc.salt, 'base64'), 'hash', encode(rc.hash, 'base64')))
           FROM recovery_codes rc WHERE rc.factor_id = f.id AND rc.used_at IS NULL)`
      : 'NULL::json';
  const webauthn =
    fast.webauthn === undefined
      ? `NULL::bytea AS challenge, NULL::boolean AS challenge_consumed, NULL::boolean AS challenge_live,
         NULL::text AS rp_id, NULL::text[] AS allowed_origins, NULL::text AS user_verification`
      : `ch.challenge, ch.consumed_at IS NOT NULL AS challenge_consumed, ch.expires_at > now() AS challenge_live,
         app.rp_id, app.allowed_origins, app.user_verification::text AS user_verification`;
  const webauthnJoins =
    fast.webauthn === undefined
      ? ''
      : `JOIN applications app ON app.id = u.application_id
         LEFT JOIN webauthn_challenges ch ON ch.id = $7::uuid AND ch.application_id = u.application_id AND ch.user_id = u.id AND ch.ceremony = 'authentication'`;
  return `SELECT u.id AS user_id, u.xmin::text AS user_version, u.failed_count AS account_failed_count, u.locked_until AS account_locked_until,
            f.id AS factor_id, f.version AS factor_version, f.status, f.failed_count, f.locked_until,
            t.secret_enc, t.algorithm::text AS algorithm, t.digits, t.period, t.last_step::text AS last_step,
            w.credential_id, w.public_key, w.sign_count::text AS sign_count, w.transports, w.backup_eligible,
            EXISTS (SELECT 1 FROM verification_attempts a WHERE a.application_id = $1 AND a.attempt_id = $3) AS is_recorded,
            ${recovery} AS recovery_candidates, ${webauthn}
       FROM users u
       LEFT JOIN LATERAL (
         SELECT f.id, f.xmin::text AS version, f.status::text AS status, f.failed_count, f.locked_until FROM factors f
          WHERE f.user_id = u.id AND f.kind = $4::factor_kind AND f.status <> 'revoked' AND ($5::uuid IS NULL OR f.id = $5::uuid)
            AND ($6::bytea IS NULL OR f.id IN (SELECT factor_id FROM webauthn_credentials WHERE credential_id = $6::bytea))
          ORDER BY (f.status = 'active') DESC, f.created_at DESC
          LIMIT 1
       ) f ON true
       LEFT JOIN totp_factors t ON t.factor_id = f.id
       LEFT JOIN webauthn_credentials w ON w.factor_id = f.id
       ${webauthnJoins}
      WHERE u.application_id = $1 AND u.external_id = $2`;
}

export interface FastRequest {
  /** The try's database deadline (withDatabaseRetry): the write's connection is torn down at it. */
  deadline: number;
  deps: ServiceDeps;
  /** The application's lockout policy (lockout-policy.ts). */
  policy: LockoutPolicy;
  applicationId: string;
  attemptId: string;
  externalUserId: string;
  factorId: string | null;
  kind: VerifiedFactorKind;
  credential: string;
  fast: FastVerification;
}

/**
 * The hot path in two round trips (issue 9): read (no locks) → decide in core → ONE statement that
 * applies the decision only if nothing it was based on changed. Returns null when the locked,
 * transactional path must decide instead: unknown user or factor, a recorded attempt id (replay
 * judging), a decision that locks the factor or the account (those events carry webhooks), or a
 * conflict — another request changed the user or the factor, or consumed the code, in between.
 * A conflict is not retried here: the locked path serializes on the rows, so under contention (a
 * brute force from many gateways) every request costs at most one extra optimistic try.
 *
 * The statement, with every invariant of the locked path:
 *  - `locked`: the user and factor rows, and what the check uses up (the TOTP row while its last
 *    step is older, the recovery code while unused, the WebAuthn challenge while live and unused
 *    and the credential while its counter is behind), `FOR NO KEY UPDATE` — only if the user's and
 *    factor's `xmin` are still the ones read. Under READ COMMITTED a row changed meanwhile is
 *    re-checked on its newest version, so the locks are held on exactly the state the decision
 *    saw: counting is exact (invariant 4) and the compare-and-set cannot miss (invariant 1).
 *  - every write below is guarded by `locked`, so the statement writes all or nothing: the
 *    consuming updates, the counters, the attempt row (idempotency key, invariant 3; a concurrent
 *    insert of the same id is a unique violation that aborts the whole statement) and its audit
 *    row (invariant 7), in one implicit transaction whose commit waits for the synchronous standby.
 */
export async function tryFastVerification(request: FastRequest): Promise<VerificationResult | null> {
  const { deps, fast } = request;
  const readValues: unknown[] = [
    request.applicationId,
    request.externalUserId,
    request.attemptId,
    request.kind,
    request.factorId,
    fast.webauthn?.credentialId ?? null,
  ];
  if (fast.webauthn !== undefined) readValues.push(fast.webauthn.challengeId);
  const snapshot = snapshotQuery(fast);
  const { rows } = await queryDescribedOnce<SnapshotRow>(deps.db.pool, { name: preparedName('hf_read', snapshot), text: snapshot, values: readValues });
  const row = rows[0];
  if (row === undefined || row.is_recorded || row.factor_id === null || row.factor_version === null || row.status === null || row.failed_count === null) {
    return null;
  }
  const factor: LockedFactor = {
    userId: row.user_id,
    id: row.factor_id,
    status: row.status,
    failedCount: row.failed_count,
    lockedUntil: row.locked_until,
    ...factorSecretsOf(row),
  };
  const account = { failedCount: row.account_failed_count, lockedUntil: row.account_locked_until };
  const now = deps.clock();

  let check: CheckOutcome | null = null;
  let consume: ((param: SqlParam) => ConsumeClause) | null = null;
  // A locked account or factor, or an inactive factor, is refused before its check runs.
  if (refusalBeforeCheck({ factor, account, now }) === null) {
    const evaluated = await fast.evaluate({
      factor,
      recoveryCandidates: (row.recovery_candidates ?? []).map((c) => ({
        id: c.id,
        lookupTag: c.tag,
        salt: Buffer.from(c.salt, 'base64'),
        hash: Buffer.from(c.hash, 'base64'),
      })),
      webauthn:
        fast.webauthn === undefined || row.backup_eligible === null || row.rp_id === null || row.user_verification === null
          ? null
          : {
              challenge:
                row.challenge === null ? null : { bytes: row.challenge, isConsumed: row.challenge_consumed === true, isLive: row.challenge_live === true },
              backupEligible: row.backup_eligible,
              policy: { rpId: row.rp_id, allowedOrigins: row.allowed_origins ?? [], userVerification: row.user_verification },
            },
      now,
    });
    if (evaluated === null) return null;
    check = evaluated.outcome.isMatch ? { isMatch: true, isFirstUse: true } : evaluated.outcome;
    consume = evaluated.consume;
  }
  const decision = decideVerification({ factor, account, check, policy: request.policy, now });
  // Lock events carry webhooks (an outbox row): the locked path writes them.
  if (decision.factorLock !== null || decision.accountLock !== null) return null;

  const values: unknown[] = [];
  const param: SqlParam = (value) => {
    values.push(value);
    return `$${String(values.length)}`;
  };
  const isAccepted = decision.reason === null;
  const userId = param(factor.userId);
  const factorId = param(factor.id);
  const consumed = consume?.(param) ?? null;
  // User, factor, then what is consumed: the locked path's lock order (rows are locked in FROM order).
  const ctes = [
    `locked AS (SELECT 1 FROM users u JOIN factors f ON f.user_id = u.id ${consumed?.lock ?? ''}
       WHERE u.id = ${userId}::uuid AND u.xmin = ${param(row.user_version)}::xid AND f.id = ${factorId}::uuid AND f.xmin = ${param(row.factor_version)}::xid
       FOR NO KEY UPDATE)`,
  ];
  (consumed?.writes ?? []).forEach((write, i) => {
    ctes.push(`consumed${String(i)} AS (${write} AND EXISTS (SELECT FROM locked))`);
  });
  if (decision.account.failedCount !== account.failedCount || decision.account.lockedUntil !== account.lockedUntil) {
    ctes.push(
      `account AS (UPDATE users SET failed_count = ${param(decision.account.failedCount)}::int, locked_until = ${param(decision.account.lockedUntil)}::timestamptz
         WHERE id = ${userId}::uuid AND EXISTS (SELECT FROM locked))`,
    );
  }
  if (isAccepted) {
    ctes.push(
      `factor AS (UPDATE factors SET failed_count = 0, last_used_at = ${param(now)}::timestamptz WHERE id = ${factorId}::uuid AND EXISTS (SELECT FROM locked))`,
    );
  } else if (decision.countsTowardLockout) {
    ctes.push(
      `factor AS (UPDATE factors SET failed_count = ${param(decision.factor.failedCount)}::int, locked_until = ${param(decision.factor.lockedUntil)}::timestamptz
         WHERE id = ${factorId}::uuid AND EXISTS (SELECT FROM locked))`,
    );
  }
  const requestHash = hashAttemptRequest(deps.keyring, {
    kind: request.kind,
    externalUserId: request.externalUserId,
    factorId: factor.id,
    credential: request.credential,
  });
  ctes.push(
    `attempt AS (INSERT INTO verification_attempts (id, application_id, attempt_id, request_hash, request_key_id, user_id, factor_id, outcome, reason, gateway_id, region, created_at)
       SELECT ${param(timeOrderedUuid({ now, random: deps.random }))}::uuid, ${param(request.applicationId)}::uuid, ${param(request.attemptId)}::text, ${param(requestHash.hash)}::bytea, ${param(requestHash.keyId)}::text,
              ${userId}::uuid, ${factorId}::uuid, ${param(isAccepted ? 'accepted' : 'rejected')}::attempt_outcome, ${param(decision.reason)}::text,
              ${param(deps.gateway.id)}::text, ${param(deps.gateway.region)}::text, ${param(now)}::timestamptz
        WHERE EXISTS (SELECT FROM locked)
       RETURNING 1)`,
  );
  ctes.push(
    `audit AS (${auditInsertFrom(
      {
        type: isAccepted ? 'verify.accepted' : 'verify.rejected',
        gatewayId: deps.gateway.id,
        region: deps.gateway.region,
        applicationId: request.applicationId,
        userId: factor.userId,
        factorId: factor.id,
        attemptId: request.attemptId,
        detail: { kind: request.kind, ...(isAccepted ? {} : { reason: decision.reason }) },
      },
      param,
      'attempt',
    )})`,
  );
  let recorded: number;
  try {
    const text = `WITH ${ctes.join(',\n')}\nSELECT count(*)::int AS recorded FROM attempt`;
    const result = await runAtomicStatement<{ recorded: number }>(deps.db.pool, text, values, {
      name: preparedName('hf_write', text),
      deadline: request.deadline,
    });
    recorded = result.rows[0]?.recorded ?? 0;
  } catch (error) {
    // The same attempt id was recorded between the read and this statement (which rolled back
    // whole): the locked path finds the row and judges it.
    if (isUniqueViolation(error)) return null;
    throw error;
  }
  // Zero: something the decision was based on changed; nothing was written.
  if (recorded !== 1) return null;
  return toVerificationResult({
    attemptId: request.attemptId,
    outcome: isAccepted ? 'accepted' : 'rejected',
    reason: decision.reason,
    factorId: factor.id,
    createdAt: now,
    gatewayId: deps.gateway.id,
    region: deps.gateway.region,
    replayed: false,
  });
}

/**
 * The hot path's statements as named prepared statements: Postgres parses and plans each of them
 * once per connection instead of on every request (the write is a six-part CTE). The text varies
 * with the decision's shape (which updates it needs) and the factor kind, a handful of variants,
 * so the name is derived from the text itself — one text, one name, on every gateway.
 */
const preparedNames = new Map<string, string>();
function preparedName(prefix: string, text: string): string {
  let name = preparedNames.get(text);
  if (name === undefined) {
    name = `${prefix}_${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
    preparedNames.set(text, name);
  }
  return name;
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}
