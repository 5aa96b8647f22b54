import { decidePushBegin, generatePushNumber, HoldfastError, pushTransactionExpiresAt, timeOrderedUuid, type PushTransactionStatus } from '@holdfast/core';
import { withDatabaseRetry, withTransaction, writeAuditEvent, type SqlClient } from '@holdfast/db';
import type { PushContext } from '@holdfast/validators';
import type { z } from 'zod';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';
import type { pushBeginOutput } from '../../schemas';
import { expirePushTransaction } from './expire-push';
import { sendPushNotifications } from './send-push-notifications';

export type PushBeginOutput = z.infer<typeof pushBeginOutput>;

/** How long pushBegin waits for the Web Push requests before answering; they go on in the background. */
export const pushSendWaitMs = 1500;

interface LockedUser {
  id: string;
  locked_until: Date | null;
  push_suspended_until: Date | null;
  push_ttl_seconds: number;
  push_number_digits: number;
  push_max_per_window: number;
  push_window_seconds: number;
}

interface PushRow {
  id: string;
  user_id: string;
  attempt_id: string;
  number: string;
  status: PushTransactionStatus;
  expires_at: Date;
}

interface BeginState {
  db_now: Date;
  recorded: PushRow | null;
  pending: PushRow | null;
  recent_begins: Date[];
  devices: number;
  reachable_devices: number;
}

/** A refusal is decided inside the transaction, audited there and committed, then thrown. */
type BeginResult = { kind: 'begun' | 'replayed'; output: PushBeginOutput; transactionId: string } | { kind: 'refused'; error: HoldfastError };

const pushColumns = 'id, user_id, attempt_id, number, status::text AS status, expires_at';

/**
 * `verify.pushBegin`: a push transaction for the user's login, in ONE transaction (issue 11; plan
 * in core push/index.ts):
 *  - the user row `FOR UPDATE` first: every gateway's begin for this user serialises on it, so the
 *    fatigue counts below are exact across gateways (as lockout's are: invariant 4);
 *  - a recorded attempt id is that transaction (`replayed: true`, its current status); the attempt
 *    id is bound to its user (another user's → ATTEMPT_ID_REUSED);
 *  - the user's pending row past its expiry (by the database's clock) is expired by compare-and-set;
 *  - core `decidePushBegin` (suspension, one pending push, N per window) with the database's time;
 *    a refusal is audited `push.begin_refused` and committed, then thrown with `retryAfterMs`;
 *  - a locked account is refused as FORBIDDEN (with retryAfterMs until the lock ends): a push
 *    would interrupt the user for a login that cannot succeed anyway;
 *  - no active push device → FACTOR_NOT_FOUND;
 *  - INSERT (id UUIDv7, number, expiry = now + the application's TTL) + `push.begun`. The partial
 *    unique index (one pending per user) is the backstop: a 23505 there is PUSH_PENDING.
 * The number is never written to the audit trail or a log: it is the short-lived secret the
 * login screen hands the user. Web Push goes out after the commit (sendPushNotifications), awaited
 * at most `pushSendWaitMs`; its failure never fails the begin (the PWA lists pending pushes).
 */
export async function beginPush(options: {
  deps: ServiceDeps;
  application: Pick<ApplicationPrincipal, 'id' | 'name'>;
  externalUserId: string;
  attemptId: string;
  context?: PushContext | undefined;
  /** Set by the hosted page (portal): the hosted transaction this push belongs to. */
  hostedTransactionId?: string | null;
  signal?: AbortSignal | undefined;
}): Promise<PushBeginOutput> {
  const { deps } = options;
  // A retry after a lost or doubtful commit finds its attempt id recorded and answers that.
  const result = await withDatabaseRetry(
    deps,
    async (deadline) => {
      try {
        return await withTransaction(deps.db.pool, deadline, (sql) => beginInTransaction(sql, options));
      } catch (error) {
        if (isPendingIndexViolation(error)) {
          // Another gateway's begin for this user committed between our read and insert (the user
          // lock makes this all but impossible; the index makes it impossible).
          return { kind: 'refused', error: new HoldfastError('PUSH_PENDING', 'a push is already waiting for this user') } satisfies BeginResult;
        }
        throw error;
      }
    },
    options.signal,
  );
  if (result.kind === 'refused') throw result.error;
  if (result.kind === 'begun') {
    const sending = sendPushNotifications({ deps, transactionId: result.transactionId });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      sending,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, pushSendWaitMs);
      }),
    ]);
    clearTimeout(timer);
  }
  return result.output;
}

function isPendingIndexViolation(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === '23505' &&
    (error as { constraint?: unknown }).constraint === 'push_transactions_one_pending_per_user'
  );
}

async function beginInTransaction(sql: SqlClient, options: Parameters<typeof beginPush>[0]): Promise<BeginResult> {
  const { deps, application, attemptId } = options;
  const { rows: users } = await sql.query<LockedUser>(
    `SELECT u.id, u.locked_until, u.push_suspended_until,
            a.push_ttl_seconds, a.push_number_digits, a.push_max_per_window, a.push_window_seconds
       FROM users u JOIN applications a ON a.id = u.application_id
      WHERE u.application_id = $1 AND u.external_id = $2
      FOR UPDATE OF u`,
    [application.id, options.externalUserId],
  );
  const user = users[0];
  if (user === undefined) throw new HoldfastError('USER_NOT_FOUND', 'no such user for this application');

  // Everything else in one round trip, read under the user lock, with the database's clock taken
  // after the lock was granted (now() is the transaction's start, which a lock wait makes stale).
  const { rows: states } = await sql.query<BeginState>(
    `SELECT clock_timestamp() AS db_now,
            (SELECT row_to_json(r) FROM (SELECT ${pushColumns} FROM push_transactions WHERE application_id = $1 AND attempt_id = $2) r) AS recorded,
            (SELECT row_to_json(r) FROM (SELECT ${pushColumns} FROM push_transactions WHERE user_id = $3 AND status = 'pending') r) AS pending,
            ARRAY(SELECT created_at FROM push_transactions WHERE user_id = $3 AND created_at > clock_timestamp() - make_interval(secs => $4)) AS recent_begins,
            (SELECT count(*)::int FROM factors f JOIN push_devices d ON d.factor_id = f.id
              WHERE f.user_id = $3 AND f.kind = 'push' AND f.status = 'active') AS devices,
            (SELECT count(*)::int FROM factors f JOIN push_devices d ON d.factor_id = f.id
              WHERE f.user_id = $3 AND f.kind = 'push' AND f.status = 'active' AND d.subscription_enc IS NOT NULL) AS reachable_devices`,
    [application.id, attemptId, user.id, user.push_window_seconds],
  );
  const state = states[0];
  if (state === undefined) throw new HoldfastError('INTERNAL', 'push begin state missing');
  const now = state.db_now;
  const recorded = state.recorded === null ? null : parsePushRow(state.recorded);

  if (recorded !== null) {
    if (recorded.user_id !== user.id) {
      throw new HoldfastError('ATTEMPT_ID_REUSED', 'this attempt id was already used for another user; use a fresh attempt id');
    }
    const status = recorded.status === 'pending' && now.getTime() >= recorded.expires_at.getTime() ? 'expired' : recorded.status;
    return {
      kind: 'replayed',
      transactionId: recorded.id,
      output: {
        transactionId: recorded.id,
        number: recorded.number,
        expiresAt: recorded.expires_at,
        status,
        deviceCount: state.reachable_devices,
        replayed: true,
      },
    };
  }

  const audit = {
    gatewayId: deps.gateway.id,
    region: deps.gateway.region,
    applicationId: application.id,
    userId: user.id,
    attemptId,
  };
  let pending = state.pending === null ? null : parsePushRow(state.pending);
  if (pending !== null && now.getTime() >= pending.expires_at.getTime()) {
    // Stale: expire it by compare-and-set (database clock) so the unique index lets the new one in.
    await expirePushTransaction(sql, deps, { id: pending.id, applicationId: application.id, userId: user.id, attemptId: pending.attempt_id });
    pending = null;
  }

  const refuse = async (error: HoldfastError, reason: string): Promise<BeginResult> => {
    await writeAuditEvent(sql, { ...audit, type: 'push.begin_refused', detail: { reason, retryAfterMs: error.retryAfterMs ?? null } });
    return { kind: 'refused', error };
  };

  if (user.locked_until !== null && now.getTime() < user.locked_until.getTime()) {
    return refuse(
      new HoldfastError('FORBIDDEN', 'the account is locked after too many failed verifications', {
        retryAfterMs: user.locked_until.getTime() - now.getTime(),
      }),
      'account_locked',
    );
  }

  const decision = decidePushBegin({
    pendingForUser: pending === null ? null : { expiresAt: pending.expires_at },
    recentBeginsForUser: state.recent_begins.map((value) => new Date(value)),
    policy: { maxPerWindow: user.push_max_per_window, windowMs: user.push_window_seconds * 1000, suspendedUntil: user.push_suspended_until },
    now,
  });
  if (!decision.isAllowed) {
    const error =
      decision.reason === 'push_suspended'
        ? new HoldfastError('PUSH_SUSPENDED', 'push is suspended for this user after a fraud report', { retryAfterMs: decision.retryAfterMs })
        : decision.reason === 'push_pending'
          ? new HoldfastError('PUSH_PENDING', 'a push is already waiting for this user', { retryAfterMs: decision.retryAfterMs })
          : new HoldfastError('PUSH_LIMIT_REACHED', 'too many pushes for this user; try again later', { retryAfterMs: decision.retryAfterMs });
    return refuse(error, decision.reason);
  }

  if (state.devices === 0) throw new HoldfastError('FACTOR_NOT_FOUND', 'the user has no paired push device');

  const id = timeOrderedUuid({ now, random: deps.random });
  const number = generatePushNumber({ random: deps.random, digits: user.push_number_digits });
  const expiresAt = pushTransactionExpiresAt({ now, ttlMs: user.push_ttl_seconds * 1000 });
  const context = {
    applicationName: application.name,
    ...(options.context?.ipAddress === undefined ? {} : { ipAddress: options.context.ipAddress }),
    ...(options.context?.location === undefined ? {} : { location: options.context.location }),
    ...(options.context?.browser === undefined ? {} : { browser: options.context.browser }),
  };
  await sql.query(
    `INSERT INTO push_transactions (id, application_id, user_id, attempt_id, number, context, status, expires_at, created_at, hosted_transaction_id)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, 'pending', $7, $8, $9)`,
    [id, application.id, user.id, attemptId, number, JSON.stringify(context), expiresAt, now, options.hostedTransactionId ?? null],
  );
  // Never the number (a shared secret between the login screen and the user) nor the context's IP.
  await writeAuditEvent(sql, {
    ...audit,
    type: 'push.begun',
    detail: { transactionId: id, expiresAt: expiresAt.toISOString(), devices: state.devices, reachableDevices: state.reachable_devices },
  });
  return {
    kind: 'begun',
    transactionId: id,
    output: { transactionId: id, number, expiresAt, status: 'pending', deviceCount: state.reachable_devices, replayed: false },
  };
}

/** `row_to_json` gives timestamps as text. */
function parsePushRow(row: PushRow): PushRow {
  return { ...row, expires_at: new Date(row.expires_at) };
}
