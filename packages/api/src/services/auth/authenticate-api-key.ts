import { HoldfastError } from '@holdfast/core';
import { isSecretHashMatch, parseApiKey, withDatabaseRetry } from '@holdfast/db';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';
import { cached } from '../../cache/cached';
import { createUncoalescedAuthFailureRecorder, type ApiKeyRejection, type AuthFailureRecorder } from '../audit/auth-failure-counter';
import { lockoutOverridesOf } from '../verify/lockout-policy';
import { rememberVerifiedApiKey } from './verified-api-keys';

interface KeyRow {
  secret_hash: Buffer;
  revoked_at: Date | null;
  /** `revoked_at <= now()` judged by the database when the row was read (null: not revoked). */
  is_past: boolean | null;
  id: string;
  name: string;
  fail_mode: 'secure' | 'safe';
  lockout_threshold: number | null;
  lockout_seconds: number | null;
  lockout_hard_limit: number | null;
  account_lockout_threshold: number | null;
}

/**
 * Resolves `Bearer hf_<keyId>_<secret>` to its application, or throws UNAUTHENTICATED. The
 * failure is counted per key id and minute (`failures`, the gateway's coalescing recorder), not
 * audited row by row: unauthenticated traffic must not write one row per request (issue 8, hole 4).
 * Missing and malformed keys are refused without a database lookup.
 */
export async function authenticateApiKey(options: {
  deps: ServiceDeps;
  bearer: string | null;
  signal?: AbortSignal | undefined;
  /** Absent (in-process callers without a gateway): one audit row per failure, as before. */
  failures?: AuthFailureRecorder | undefined;
  /** The peer address, recorded as the minute's sample. */
  ip?: string | null;
}): Promise<ApplicationPrincipal> {
  const { deps } = options;
  const parsed = options.bearer === null ? null : parseApiKey(options.bearer);
  const key =
    parsed === null
      ? undefined
      : await cached(deps, `apikey:${parsed.keyId}`, async () => {
          const { rows } = await withDatabaseRetry(
            deps,
            () =>
              // Never the admin console's system application (issue 13): it has no keys (a trigger
              // refuses them), and if one appeared anyway it would authenticate nothing.
              deps.db.pool.query<KeyRow>(
                `SELECT k.secret_hash, k.revoked_at, k.revoked_at <= now() AS is_past, a.id, a.name, a.fail_mode::text AS fail_mode, a.lockout_threshold, a.lockout_seconds, a.lockout_hard_limit, a.account_lockout_threshold
               FROM api_keys k JOIN applications a ON a.id = k.application_id WHERE k.id = $1 AND NOT a.is_system`,
                [parsed.keyId],
              ),
            options.signal,
          );
          const row = rows[0];
          // Unknown keys are not cached: a key created a moment later must work at once.
          return { value: row, tags: row === undefined ? [] : [`apikey:${parsed.keyId}`, `application:${row.id}`], isCacheable: row !== undefined };
        });
  // A rotated key keeps working until its revoked_at (issue 13: rotation with overlap), then stops on
  // every gateway at that instant: the cached row carries revoked_at and is compared with the clock
  // on each request, so the end of the overlap needs neither a notification nor a database read.
  // revoked_at is the database's clock (manage-api-keys.ts writes now() / now() + overlap), so a
  // revocation "now" must not wait for a gateway whose clock runs behind: the database also judged
  // the row when it was read (is_past; every write to the key re-reads it through the cache's
  // invalidation), and past by either clock is past.
  const isRevoked = key !== undefined && key.revoked_at !== null && (key.is_past === true || key.revoked_at.getTime() <= deps.clock().getTime());
  const isValid = parsed !== null && key !== undefined && !isRevoked && isSecretHashMatch(parsed.secret, key.secret_hash);
  if (!isValid) {
    const reason: ApiKeyRejection =
      options.bearer === null ? 'missing' : parsed === null ? 'malformed' : key === undefined ? 'unknown_key' : isRevoked ? 'revoked' : 'wrong_secret';
    const failures = options.failures ?? createUncoalescedAuthFailureRecorder(deps);
    await failures.record({ reason, keyId: parsed?.keyId ?? null, applicationId: key?.id ?? null, ip: options.ip ?? null }).catch(() => undefined); // counting failing must not turn a 401 into a 500
    throw new HoldfastError('UNAUTHENTICATED', 'a valid API key is required (Authorization: Bearer hf_…)');
  }
  rememberVerifiedApiKey(parsed.keyId, key.id, key.secret_hash);
  return { id: key.id, name: key.name, failMode: key.fail_mode, lockout: lockoutOverridesOf(key) };
}
