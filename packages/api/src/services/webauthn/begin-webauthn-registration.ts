import { readRandomBytes } from '@holdfast/core';
import { withTransaction, writeAuditEvent } from '@holdfast/db';
import { generateRegistrationOptions, type PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import type { EnrollmentPrincipal, ServiceDeps } from '../../deps';
import { authorizeFactorChange } from '../enrollment/authorize-factor-change';
import { issueWebauthnChallenge } from './webauthn-challenges';
import { loadWebauthnPolicy, toTransports, webauthnChallengeBytes, webauthnChallengeTtlMs } from './webauthn-policy';

/**
 * Starts registering a security key or passkey: a registration challenge stored server side (so
 * any gateway can finish), and the options for the browser's `navigator.credentials.create`.
 * The user's existing credentials are excluded, so one authenticator is not registered twice.
 * An account that already has a factor needs a fresh step-up first (checked again at the finish).
 */
export async function beginWebauthnRegistration(options: {
  deps: ServiceDeps;
  enrollment: EnrollmentPrincipal;
}): Promise<{ challengeId: string; options: PublicKeyCredentialCreationOptionsJSON }> {
  const { deps, enrollment } = options;
  const policy = await loadWebauthnPolicy({ deps, applicationId: enrollment.applicationId });
  const existing = await deps.db.prisma.webauthnCredential.findMany({
    where: { factor: { userId: enrollment.userId, status: { not: 'revoked' } } },
    select: { credentialId: true, transports: true },
  });
  const challenge = readRandomBytes({ random: deps.random, size: webauthnChallengeBytes });
  const challengeId = await withTransaction(deps.db.pool, null, async (sql) => {
    await authorizeFactorChange({ db: sql, enrollment, change: 'add', now: deps.clock() });
    const id = await issueWebauthnChallenge({ sql, applicationId: enrollment.applicationId, userId: enrollment.userId, ceremony: 'registration', challenge });
    await writeAuditEvent(sql, {
      type: 'factor.enroll_begun',
      gatewayId: deps.gateway.id,
      region: deps.gateway.region,
      applicationId: enrollment.applicationId,
      userId: enrollment.userId,
      detail: { kind: 'webauthn', challengeId: id },
    });
    return id;
  });
  const creationOptions = await generateRegistrationOptions({
    rpName: policy.rpName,
    rpID: policy.rpId,
    userName: enrollment.externalUserId,
    // The internal user id, not the application's: the user handle must carry no personal data.
    userID: Buffer.from(enrollment.userId.replace(/-/g, ''), 'hex'),
    // A copy on a plain ArrayBuffer, as the library's types ask.
    challenge: new Uint8Array(challenge),
    timeout: webauthnChallengeTtlMs,
    attestationType: policy.attestation,
    excludeCredentials: existing.map((credential) => ({
      id: isoBase64URL.fromBuffer(new Uint8Array(credential.credentialId)),
      transports: toTransports(credential.transports),
    })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: policy.userVerification },
  });
  return { challengeId, options: creationOptions };
}
