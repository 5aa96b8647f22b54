import { HoldfastError, isSecureOrLoopbackUrl } from '@holdfast/core';
import { generateApiKey, withTransaction } from '@holdfast/db';
import type { AdminApplication, adminApplicationUpdateInput } from '@holdfast/validators';
import type { z } from 'zod';
import type { ServiceDeps } from '../../../deps';
import { writeAdminActionAudit, type AuditJson } from '../admin-audit';
import type { AdminPrincipal } from '../admin-principal';
import { loadAdminApplication, requireAdminApplication } from './application-view';
import { mergeLockoutPolicy } from '../../verify/lockout-policy';

type UpdateInput = z.output<typeof adminApplicationUpdateInput>;

/** `admin.applications.get` (applications.read): null for an unknown id, the canary's or the system application's. */
export async function getAdminApplication(options: { deps: ServiceDeps; applicationId: string }): Promise<{ application: AdminApplication | null }> {
  return { application: await loadAdminApplication({ deps: options.deps, sql: options.deps.db.pool, applicationId: options.applicationId }) };
}

/**
 * `admin.applications.create` (applications.write, after a step-up): a relying application with the
 * schema's defaults and its first API key, shown once (only the key's SHA-256 is stored). Audited in
 * the same transaction with the key's id, never the key.
 */
export async function createAdminApplication(options: {
  deps: ServiceDeps;
  admin: AdminPrincipal;
  name: string;
  failMode: 'secure' | 'safe';
}): Promise<{ application: AdminApplication; apiKey: string }> {
  const { deps } = options;
  return withTransaction(deps.db.pool, null, async (sql) => {
    const { rows } = await sql.query<{ id: string }>(
      'INSERT INTO applications (id, name, fail_mode) VALUES (gen_random_uuid(), $1, $2::fail_mode) RETURNING id',
      [options.name, options.failMode],
    );
    const id = rows[0]?.id;
    if (id === undefined) throw new HoldfastError('INTERNAL', 'the application was not created');
    const key = generateApiKey();
    await sql.query('INSERT INTO api_keys (id, application_id, secret_hash, created_at) VALUES ($1, $2::uuid, $3, $4)', [
      key.keyId,
      id,
      Buffer.from(key.secretHash),
      deps.clock(),
    ]);
    const application = await requireAdminApplication({ deps, sql, applicationId: id });
    await writeAdminActionAudit({
      deps,
      db: sql,
      admin: options.admin,
      action: 'applications.write',
      target: `application:${id}`,
      applicationId: id,
      before: null,
      after: { created: true, name: application.name, failMode: application.failMode, apiKeyId: key.keyId },
    });
    return { application, apiKey: key.apiKey };
  });
}

/** A WebAuthn origin is scheme://host[:port] only; stored in its normalized form. */
function normalizeOrigin(raw: string): string {
  if (!isSecureOrLoopbackUrl(raw)) throw new HoldfastError('INSECURE_URL', `origin ${raw} must be https (http only for localhost, 127.0.0.1 or [::1])`);
  const url = new URL(raw);
  if (url.username !== '' || url.password !== '' || url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new HoldfastError('BAD_REQUEST', `origin ${raw} must be scheme://host[:port] only (no path, query, fragment or credentials)`);
  }
  return url.origin;
}

/** Callback URLs are matched exactly by the hosted page, so they are stored as given (https, or http on loopback). */
function checkCallbackUrl(raw: string): string {
  if (!isSecureOrLoopbackUrl(raw)) throw new HoldfastError('INSECURE_URL', `callback URL ${raw} must be https (http only for localhost, 127.0.0.1 or [::1])`);
  const url = new URL(raw);
  if (url.username !== '' || url.password !== '' || url.hash !== '') {
    throw new HoldfastError('BAD_REQUEST', `callback URL ${raw} must not carry credentials or a fragment`);
  }
  return raw;
}

/** WebAuthn: a ceremony's origin must be the RP ID's host or one of its subdomains, or no passkey could ever work. */
function checkOriginsMatchRpId(rpId: string, origins: readonly string[]): void {
  for (const origin of origins) {
    const host = new URL(origin).hostname;
    if (host !== rpId && !host.endsWith(`.${rpId}`)) {
      throw new HoldfastError('BAD_REQUEST', `origin ${origin} is not on the RP ID ${rpId} (or one of its subdomains)`);
    }
  }
}

/** Column and value of each field the console may change (the shape of adminApplication). */
function changedColumns(before: AdminApplication, input: UpdateInput): { column: string; cast: string; field: string; from: AuditJson; to: AuditJson }[] {
  const changes: { column: string; cast: string; field: string; from: AuditJson; to: AuditJson }[] = [];
  const add = (
    field: string,
    column: string,
    cast: string,
    from: string | number | string[] | null,
    to: string | number | string[] | null | undefined,
  ): void => {
    if (to === undefined || JSON.stringify(from) === JSON.stringify(to)) return;
    changes.push({ column, cast, field, from, to });
  };
  add('name', 'name', 'text', before.name, input.name);
  add('failMode', 'fail_mode', 'fail_mode', before.failMode, input.failMode);
  add('rpId', 'rp_id', 'text', before.rpId, input.rpId);
  add('rpName', 'rp_name', 'text', before.rpName, input.rpName);
  add(
    'allowedOrigins',
    'allowed_origins',
    'text[]',
    before.allowedOrigins,
    input.allowedOrigins === undefined ? undefined : [...new Set(input.allowedOrigins.map(normalizeOrigin))],
  );
  add('userVerification', 'user_verification', 'user_verification_policy', before.userVerification, input.userVerification);
  add(
    'callbackUrls',
    'callback_urls',
    'text[]',
    before.callbackUrls,
    input.callbackUrls === undefined ? undefined : [...new Set(input.callbackUrls.map(checkCallbackUrl))],
  );
  const push = input.push ?? {};
  add('push.ttlSeconds', 'push_ttl_seconds', 'int', before.push.ttlSeconds, push.ttlSeconds);
  add('push.numberDigits', 'push_number_digits', 'int', before.push.numberDigits, push.numberDigits);
  add('push.maxPerWindow', 'push_max_per_window', 'int', before.push.maxPerWindow, push.maxPerWindow);
  add('push.windowSeconds', 'push_window_seconds', 'int', before.push.windowSeconds, push.windowSeconds);
  add('push.fraudSuspensionSeconds', 'push_fraud_suspension_seconds', 'int', before.push.fraudSuspensionSeconds, push.fraudSuspensionSeconds);
  const lockout = input.lockout ?? {};
  const overrides = before.lockoutOverrides;
  add('lockout.factorThreshold', 'lockout_threshold', 'int', overrides.factorThreshold, lockout.factorThreshold);
  add('lockout.factorLockSeconds', 'lockout_seconds', 'int', overrides.factorLockSeconds, lockout.factorLockSeconds);
  add('lockout.factorHardLimit', 'lockout_hard_limit', 'int', overrides.factorHardLimit, lockout.factorHardLimit);
  add('lockout.accountThreshold', 'account_lockout_threshold', 'int', overrides.accountThreshold, lockout.accountThreshold);
  return changes;
}

/**
 * `admin.applications.update` (applications.write, after a step-up): only the fields given change.
 * Audited with before and after of exactly the changed fields, in the transaction that changes
 * them; the row's UPDATE notifies `application:<id>` (migration 20261128020000_cache_notify), so
 * every gateway drops what it cached about the application at once (invariant 8).
 */
export async function updateAdminApplication(options: {
  deps: ServiceDeps;
  admin: AdminPrincipal;
  input: UpdateInput;
}): Promise<{ application: AdminApplication }> {
  const { deps, input } = options;
  return withTransaction(deps.db.pool, null, async (sql) => {
    const before = await requireAdminApplication({ deps, sql, applicationId: input.applicationId });
    const changes = changedColumns(before, input);
    // Checked when either side changes (an older, hand-set mismatch does not block renaming the app).
    if (changes.some((change) => change.field === 'rpId' || change.field === 'allowedOrigins')) {
      const origins = changes.find((change) => change.field === 'allowedOrigins')?.to;
      checkOriginsMatchRpId(input.rpId ?? before.rpId, Array.isArray(origins) ? origins.filter((origin) => typeof origin === 'string') : before.allowedOrigins);
    }
    if (changes.some((change) => change.field.startsWith('lockout.'))) {
      // The merged policy must hold (1 ≤ threshold ≤ hard limit ≤ 100 …): refused here, never half-applied at login.
      const next = { ...before.lockoutOverrides, ...input.lockout };
      mergeLockoutPolicy(deps.lockoutPolicy, {
        threshold: next.factorThreshold ?? null,
        lockSeconds: next.factorLockSeconds ?? null,
        hardLimit: next.factorHardLimit ?? null,
        accountHardLimit: next.accountThreshold ?? null,
      });
    }
    if (changes.length === 0) return { application: before };
    await sql.query(
      `UPDATE applications SET ${changes.map((change, i) => `${change.column} = $${String(i + 2)}::${change.cast}`).join(', ')} WHERE id = $1::uuid`,
      [before.id, ...changes.map((change) => change.to)],
    );
    await writeAdminActionAudit({
      deps,
      db: sql,
      admin: options.admin,
      action: 'applications.write',
      target: `application:${before.id}`,
      applicationId: before.id,
      before: Object.fromEntries(changes.map((change) => [change.field, change.from])),
      after: Object.fromEntries(changes.map((change) => [change.field, change.to])),
    });
    return { application: await requireAdminApplication({ deps, sql, applicationId: before.id }) };
  });
}
