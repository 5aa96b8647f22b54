import { HoldfastError, type TotpParams } from '@holdfast/core';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { EnrollmentPrincipal, ServiceDeps } from '../../deps';
import { beginTotpEnrollment } from '../totp/begin-totp-enrollment';
import { confirmTotpEnrollment } from '../totp/confirm-totp-enrollment';
import { beginWebauthnRegistration } from '../webauthn/begin-webauthn-registration';
import { finishWebauthnRegistration } from '../webauthn/finish-webauthn-registration';
import type { PendingAdminSignIn } from './admin-principal';
import { authenticatePendingSignIn } from './authenticate-admin-session';
import { completeAdminSignIn, type AdminSignedIn } from './complete-admin-sign-in';
import { auditAdminSignInFailed } from './sign-in-admin';
import { adminExternalUserId, loadSystemApplication } from './system-application';
import { beginAdminWebauthn, verifyAdminFactor } from './verify-admin-factor';

const adminTotpParams: TotpParams = { algorithm: 'SHA1', digits: 6, period: 30 };

type Pending = { deps: ServiceDeps; pendingToken: string; signal?: AbortSignal };

const refused = (): HoldfastError => new HoldfastError('ADMIN_SIGN_IN_FAILED', 'that did not verify; try again');

async function storeChallenge(deps: ServiceDeps, pending: PendingAdminSignIn, challengeId: string): Promise<void> {
  const { rowCount } = await deps.db.pool.query('UPDATE admin_sessions SET challenge_id = $2 WHERE id = $1 AND mfa_at IS NULL AND revoked_at IS NULL', [
    pending.sessionId,
    challengeId,
  ]);
  if (rowCount !== 1) throw new HoldfastError('ADMIN_SESSION_INVALID', 'sign in to the admin console again');
}

async function finishWithFactor(
  options: Pending & { credential: Parameters<typeof verifyAdminFactor>[0]['credential']; pending: PendingAdminSignIn },
): Promise<AdminSignedIn> {
  const { deps, pending } = options;
  const outcome = await verifyAdminFactor({
    deps,
    adminId: pending.adminId,
    purpose: 'signin',
    credential: options.credential,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (!outcome.isAccepted) {
    await auditAdminSignInFailed({
      deps,
      adminId: pending.adminId,
      email: pending.email,
      userId: pending.userId,
      reason: 'second_factor_rejected',
      detail: { factor: options.credential.kind, verifyReason: outcome.reason },
    });
    throw refused();
  }
  return completeAdminSignIn({
    deps,
    pending,
    factorKind: options.credential.kind,
    factorId: outcome.factorId,
    attemptId: outcome.attemptId,
    isFirstEnrollment: false,
  });
}

/** `admin.auth.verifyTotp`: the password's pending sign-in + a TOTP code → a session. */
export async function verifyAdminSignInTotp(options: Pending & { code: string }): Promise<AdminSignedIn> {
  const pending = await authenticatePendingSignIn(options);
  return finishWithFactor({ ...options, pending, credential: { kind: 'totp', code: options.code } });
}

/** `admin.auth.webauthnBegin`: a passkey challenge for the admin's user, kept on the pending session. */
export async function beginAdminSignInWebauthn(options: Pending): Promise<{ options: PublicKeyCredentialRequestOptionsJSON }> {
  const pending = await authenticatePendingSignIn(options);
  const begun = await beginAdminWebauthn({ deps: options.deps, adminId: pending.adminId, ...(options.signal === undefined ? {} : { signal: options.signal }) });
  await storeChallenge(options.deps, pending, begun.challengeId);
  return { options: begun.options };
}

/** `admin.auth.webauthnFinish`: the assertion, verified through the one write path → a session. */
export async function finishAdminSignInWebauthn(options: Pending & { response: AuthenticationResponseJSON }): Promise<AdminSignedIn> {
  const pending = await authenticatePendingSignIn(options);
  return finishWithFactor({ ...options, pending, credential: { kind: 'webauthn', challengeId: pending.challengeId, response: options.response } });
}

/**
 * First sign-in: the admin has no second factor yet. Enrollment goes through the existing
 * enrollment services on the pending sign-in's internal enrollment session (made at the password
 * step only when the account had no bound factor), so `authorizeFactorChange` decides as for any
 * user: a first binding is allowed, adding to an account that has a factor is not.
 */
async function enrollmentOf(deps: ServiceDeps, pending: PendingAdminSignIn): Promise<EnrollmentPrincipal> {
  if (pending.enrollmentLinkId === null) throw new HoldfastError('ALREADY_ENROLLED', 'this admin already has a second factor: verify it to sign in');
  const system = await loadSystemApplication(deps);
  return { linkId: pending.enrollmentLinkId, applicationId: system.id, userId: pending.userId, externalUserId: adminExternalUserId(pending.adminId) };
}

export async function beginAdminEnrollTotp(options: Pending): Promise<{ otpauthUri: string; secretBase32: string }> {
  const pending = await authenticatePendingSignIn(options);
  const enrollment = await enrollmentOf(options.deps, pending);
  const begun = await beginTotpEnrollment({ deps: options.deps, enrollment, label: 'Admin console', params: adminTotpParams });
  return { otpauthUri: begun.otpauthUri, secretBase32: begun.secret };
}

export async function confirmAdminEnrollTotp(options: Pending & { code: string }): Promise<AdminSignedIn> {
  const { deps } = options;
  const pending = await authenticatePendingSignIn(options);
  const enrollment = await enrollmentOf(deps, pending);
  const factor = await deps.db.prisma.factor.findFirst({ where: { userId: pending.userId, kind: 'totp', status: 'pending' }, select: { id: true } });
  if (factor === null) throw new HoldfastError('FACTOR_NOT_FOUND', 'start the authenticator app setup first');
  try {
    await confirmTotpEnrollment({ deps, enrollment, factorId: factor.id, code: options.code });
  } catch (error) {
    if (error instanceof HoldfastError && error.code === 'INVALID_CODE') {
      await auditAdminSignInFailed({ deps, adminId: pending.adminId, email: pending.email, userId: pending.userId, reason: 'enrollment_code_rejected' });
    }
    throw error;
  }
  return completeAdminSignIn({ deps, pending, factorKind: 'totp', factorId: factor.id, attemptId: null, isFirstEnrollment: true });
}

export async function beginAdminEnrollWebauthn(options: Pending): Promise<{ options: PublicKeyCredentialCreationOptionsJSON }> {
  const pending = await authenticatePendingSignIn(options);
  const enrollment = await enrollmentOf(options.deps, pending);
  const begun = await beginWebauthnRegistration({ deps: options.deps, enrollment });
  await storeChallenge(options.deps, pending, begun.challengeId);
  return { options: begun.options };
}

export async function finishAdminEnrollWebauthn(options: Pending & { response: RegistrationResponseJSON }): Promise<AdminSignedIn> {
  const { deps } = options;
  const pending = await authenticatePendingSignIn(options);
  const enrollment = await enrollmentOf(deps, pending);
  if (pending.challengeId === null) throw new HoldfastError('WEBAUTHN_CHALLENGE_INVALID', 'start the passkey setup first');
  const finished = await finishWebauthnRegistration({ deps, enrollment, challengeId: pending.challengeId, response: options.response, label: 'Admin passkey' });
  return completeAdminSignIn({ deps, pending, factorKind: 'webauthn', factorId: finished.factorId, attemptId: null, isFirstEnrollment: true });
}
