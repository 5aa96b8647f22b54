import { authenticatorNameFor, HoldfastError } from '@holdfast/core';
import { withTransaction, writeAuditEvent } from '@holdfast/db';
import { verifyRegistrationResponse, type RegistrationResponseJSON, type VerifiedRegistrationResponse } from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import type { EnrollmentPrincipal, ServiceDeps } from '../../deps';
import { authorizeFactorChange, recordFirstBindingStepUp } from '../enrollment/authorize-factor-change';
import { consumeWebauthnChallenge } from './webauthn-challenges';
import { loadWebauthnPolicy } from './webauthn-policy';

/**
 * Finishes registering a security key or passkey. The registration challenge is consumed first,
 * on its own (single use whatever the outcome: a response that fails cannot be retried against
 * the same challenge); then the response is verified against it, the application's allowed
 * origins, RP ID and user-verification policy; then the credential becomes an active factor,
 * with its audit event, in one transaction — which also passes the step-up gate (a session whose
 * step-up lapsed or that was ended since the begin adds nothing) and the factor cap.
 */
export async function finishWebauthnRegistration(options: {
  deps: ServiceDeps;
  enrollment: EnrollmentPrincipal;
  challengeId: string;
  response: RegistrationResponseJSON;
  label: string;
}): Promise<{ factorId: string; status: 'active'; authenticatorName: string | null }> {
  const { deps, enrollment } = options;
  const policy = await loadWebauthnPolicy({ deps, applicationId: enrollment.applicationId });
  const consumed = await consumeWebauthnChallenge({
    sql: deps.db.pool,
    challengeId: options.challengeId,
    applicationId: enrollment.applicationId,
    userId: enrollment.userId,
    ceremony: 'registration',
  });
  if (consumed.status !== 'consumed') {
    throw new HoldfastError('WEBAUTHN_CHALLENGE_INVALID', 'this registration has expired or was already finished; start again');
  }

  let verification: VerifiedRegistrationResponse;
  try {
    verification = await verifyRegistrationResponse({
      response: options.response,
      expectedChallenge: isoBase64URL.fromBuffer(new Uint8Array(consumed.challenge)),
      expectedOrigin: policy.allowedOrigins,
      expectedRPID: policy.rpId,
      requireUserVerification: policy.userVerification === 'required',
    });
  } catch (error) {
    throw new HoldfastError('WEBAUTHN_VERIFICATION_FAILED', 'the security key or passkey response did not verify', { cause: error });
  }
  const info = verification.registrationInfo;
  if (!verification.verified || info === undefined) {
    throw new HoldfastError('WEBAUTHN_VERIFICATION_FAILED', 'the security key or passkey response did not verify');
  }

  const credentialId = Buffer.from(isoBase64URL.toBuffer(info.credential.id));
  const backupEligible = info.credentialDeviceType === 'multiDevice';
  try {
    const factorId = await withTransaction(deps.db.pool, null, async (sql) => {
      const now = deps.clock();
      const decision = await authorizeFactorChange({ db: sql, enrollment, change: 'add', now });
      const factor = await sql.query<{ id: string }>(
        `INSERT INTO factors (id, user_id, kind, label, status) VALUES (gen_random_uuid(), $1, 'webauthn', $2, 'active') RETURNING id`,
        [enrollment.userId, options.label],
      );
      const id = factor.rows[0]?.id;
      if (id === undefined) throw new HoldfastError('INTERNAL', 'factor insert returned no row');
      await sql.query(
        `INSERT INTO webauthn_credentials (factor_id, credential_id, public_key, sign_count, transports, aaguid, backup_eligible, backup_state)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          id,
          credentialId,
          Buffer.from(info.credential.publicKey),
          info.credential.counter,
          info.credential.transports ?? [],
          info.aaguid,
          backupEligible,
          info.credentialBackedUp,
        ],
      );
      await recordFirstBindingStepUp({ db: sql, enrollment, decision, factorId: id, now });
      await writeAuditEvent(sql, {
        type: 'webauthn.registered',
        gatewayId: deps.gateway.id,
        region: deps.gateway.region,
        applicationId: enrollment.applicationId,
        userId: enrollment.userId,
        factorId: id,
        detail: {
          kind: 'webauthn',
          aaguid: info.aaguid,
          attestationFormat: info.fmt,
          isUserVerified: info.userVerified,
          backupEligible,
          backupState: info.credentialBackedUp,
        },
      });
      return id;
    });
    return { factorId, status: 'active', authenticatorName: authenticatorNameFor(info.aaguid) };
  } catch (error) {
    if (typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505') {
      throw new HoldfastError('ALREADY_ENROLLED', 'this security key or passkey is already registered', { cause: error });
    }
    throw error;
  }
}
