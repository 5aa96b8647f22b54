import { adminSessionExpiresAt, adminSessionLimits, hasFreshStepUp, HoldfastError } from '@holdfast/core';
import { withTransaction, writeAuditEvent } from '@holdfast/db';
import type { AdminRole } from '@holdfast/validators';
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { ServiceDeps } from '../../deps';
import { publicAdmin, type AdminPrincipal } from './admin-principal';
import { forgetAdminSession } from './authenticate-admin-session';
import { beginAdminWebauthn, verifyAdminFactor } from './verify-admin-factor';

type Session = { deps: ServiceDeps; admin: AdminPrincipal; signal?: AbortSignal };

/** Until when the session may take step-up actions (the sign-in factor counts too), or null. */
export function stepUpUntil(admin: AdminPrincipal, now: Date): Date | null {
  if (!hasFreshStepUp(admin.times, now)) return null;
  const last = admin.times.stepUpAt ?? admin.times.mfaAt;
  return last === null ? null : new Date(last.getTime() + adminSessionLimits.stepUpMs);
}

export function describeAdminSession(options: Session): {
  admin: { id: string; email: string; name: string; role: AdminRole };
  session: { createdAt: Date; expiresAt: Date; stepUpUntil: Date | null };
} {
  const { admin } = options;
  return {
    admin: publicAdmin(admin),
    session: { createdAt: admin.times.createdAt, expiresAt: adminSessionExpiresAt(admin.times), stepUpUntil: stepUpUntil(admin, options.deps.clock()) },
  };
}

export async function signOutAdmin(options: Session & { bearer: string | null }): Promise<{ ok: true }> {
  const { deps, admin } = options;
  const now = deps.clock();
  await withTransaction(deps.db.pool, null, async (sql) => {
    const { rowCount } = await sql.query('UPDATE admin_sessions SET revoked_at = GREATEST($2, created_at) WHERE id = $1 AND revoked_at IS NULL', [
      admin.sessionId,
      now,
    ]);
    if (rowCount !== 1) return;
    await writeAuditEvent(sql, {
      type: 'admin.signed_out',
      gatewayId: deps.gateway.id,
      region: deps.gateway.region,
      userId: admin.userId,
      detail: { adminId: admin.adminId, email: admin.email, sessionId: admin.sessionId },
    });
  });
  forgetAdminSession(options.bearer);
  return { ok: true };
}

const stepUpRefused = (): HoldfastError => new HoldfastError('ADMIN_SIGN_IN_FAILED', 'that did not verify; try again');

async function recordStepUp(options: Session & { factorId: string; attemptId: string; kind: 'totp' | 'webauthn' }): Promise<{ stepUpUntil: Date }> {
  const { deps, admin } = options;
  const now = deps.clock();
  await withTransaction(deps.db.pool, null, async (sql) => {
    // Only a live session records it (one signed out while the factor was checked stays out).
    const { rowCount } = await sql.query(
      'UPDATE admin_sessions SET step_up_at = GREATEST($2, mfa_at), challenge_id = NULL WHERE id = $1 AND revoked_at IS NULL AND mfa_at IS NOT NULL',
      [admin.sessionId, now],
    );
    if (rowCount !== 1) throw new HoldfastError('ADMIN_SESSION_INVALID', 'sign in to the admin console again');
    await writeAuditEvent(sql, {
      type: 'admin.stepped_up',
      gatewayId: deps.gateway.id,
      region: deps.gateway.region,
      userId: admin.userId,
      factorId: options.factorId,
      attemptId: options.attemptId,
      detail: { adminId: admin.adminId, email: admin.email, sessionId: admin.sessionId, factor: options.kind },
    });
  });
  return { stepUpUntil: new Date(now.getTime() + adminSessionLimits.stepUpMs) };
}

async function stepUpWith(options: Session & { credential: Parameters<typeof verifyAdminFactor>[0]['credential'] }): Promise<{ stepUpUntil: Date }> {
  const { deps, admin } = options;
  const outcome = await verifyAdminFactor({
    deps,
    adminId: admin.adminId,
    purpose: 'stepup',
    credential: options.credential,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (!outcome.isAccepted) throw stepUpRefused();
  return recordStepUp({ ...options, factorId: outcome.factorId, attemptId: outcome.attemptId, kind: options.credential.kind });
}

export function stepUpAdminTotp(options: Session & { code: string }): Promise<{ stepUpUntil: Date }> {
  return stepUpWith({ ...options, credential: { kind: 'totp', code: options.code } });
}

export async function beginStepUpAdminWebauthn(options: Session): Promise<{ options: PublicKeyCredentialRequestOptionsJSON }> {
  const { deps, admin } = options;
  const begun = await beginAdminWebauthn({ deps, adminId: admin.adminId, ...(options.signal === undefined ? {} : { signal: options.signal }) });
  await deps.db.pool.query('UPDATE admin_sessions SET challenge_id = $2 WHERE id = $1 AND revoked_at IS NULL', [admin.sessionId, begun.challengeId]);
  return { options: begun.options };
}

export async function finishStepUpAdminWebauthn(options: Session & { response: AuthenticationResponseJSON }): Promise<{ stepUpUntil: Date }> {
  const { deps, admin } = options;
  const { rows } = await deps.db.pool.query<{ challenge_id: string | null }>('SELECT challenge_id FROM admin_sessions WHERE id = $1', [admin.sessionId]);
  return stepUpWith({ ...options, credential: { kind: 'webauthn', challengeId: rows[0]?.challenge_id ?? null, response: options.response } });
}
