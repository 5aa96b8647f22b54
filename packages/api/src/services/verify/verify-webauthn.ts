import { hasBackupEligibilityChanged, HoldfastError, webauthnFactor } from '@holdfast/core';
import { withDatabaseRetry, writeAuditEvent } from '@holdfast/db';
import { verifyAuthenticationResponse, type AuthenticationResponseJSON, type VerifiedAuthenticationResponse } from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import { createHash } from 'node:crypto';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';
import { consumeWebauthnChallenge } from '../webauthn/webauthn-challenges';
import { loadWebauthnPolicy, toTransports } from '../webauthn/webauthn-policy';
import { runVerification } from './run-verification';
import type { VerificationResult } from './verification-result';

/**
 * Finishes a WebAuthn login through the one verification write path (attempt id, factor row
 * `FOR UPDATE`, audit in the same transaction). Inside that transaction the authentication
 * challenge is consumed (a registration challenge, an expired one or another user's is refused;
 * a consumed one means this is a replay), the assertion is verified against the application's
 * policy, and the signature counter must move forward (WebAuthn §7.2 step 21) or the credential
 * is reported as possibly cloned.
 */
export async function verifyWebauthn(options: {
  deps: ServiceDeps;
  application: Pick<ApplicationPrincipal, 'id'>;
  attemptId: string;
  externalUserId: string;
  challengeId: string;
  response: AuthenticationResponseJSON;
  signal?: AbortSignal;
}): Promise<VerificationResult> {
  const { deps, application } = options;
  const credentialId = Buffer.from(isoBase64URL.toBuffer(options.response.rawId));
  const { factorId, backupEligible, policy } = await withDatabaseRetry(
    deps,
    async () => {
      const credential = await deps.db.prisma.webauthnCredential.findFirst({
        where: { credentialId, factor: { user: { applicationId: application.id, externalId: options.externalUserId } } },
        // backupEligible is fixed at registration (never updated), so reading it outside the lock is safe.
        select: { factorId: true, backupEligible: true },
      });
      if (credential === null) throw new HoldfastError('FACTOR_NOT_FOUND', 'this security key or passkey is not registered for the user');
      return {
        factorId: credential.factorId,
        backupEligible: credential.backupEligible,
        policy: await loadWebauthnPolicy({ deps, applicationId: application.id }),
      };
    },
    options.signal,
  );

  return runVerification({
    deps,
    application,
    attemptId: options.attemptId,
    externalUserId: options.externalUserId,
    factorId,
    kind: webauthnFactor.kind,
    // Binds the attempt id to this assertion: same challenge, same credential, same signed data.
    credential: JSON.stringify([
      options.challengeId,
      options.response.rawId,
      createHash('sha256').update(Buffer.from(options.response.response.authenticatorData, 'base64url')).digest('base64url'),
    ]),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    check: async ({ sql, factor }) => {
      const stored = factor.webauthn;
      if (stored === null) throw new HoldfastError('INTERNAL', 'WebAuthn factor has no credential');
      const consumed = await consumeWebauthnChallenge({
        sql,
        challengeId: options.challengeId,
        applicationId: application.id,
        userId: factor.userId,
        ceremony: 'authentication',
      });
      if (consumed.status === 'used') return { isMatch: false, reason: 'replay' };
      if (consumed.status === 'invalid') {
        throw new HoldfastError(
          'WEBAUTHN_CHALLENGE_INVALID',
          'this WebAuthn challenge is unknown, expired, or not an authentication challenge for this user; begin again',
        );
      }

      let verification: VerifiedAuthenticationResponse;
      try {
        verification = await verifyAuthenticationResponse({
          response: options.response,
          expectedChallenge: isoBase64URL.fromBuffer(new Uint8Array(consumed.challenge)),
          expectedOrigin: policy.allowedOrigins,
          expectedRPID: policy.rpId,
          // Counter 0 turns off the library's own counter check (it throws an untyped error): the
          // rule is applied below, by core, so a clone is told apart from a bad signature and audited.
          credential: {
            id: isoBase64URL.fromBuffer(new Uint8Array(stored.credentialId)),
            publicKey: new Uint8Array(stored.publicKey),
            counter: 0,
            transports: toTransports(stored.transports),
          },
          requireUserVerification: policy.userVerification === 'required',
        });
      } catch {
        return { isMatch: false, reason: 'verification_failed' };
      }
      const { newCounter, credentialBackedUp, credentialDeviceType } = verification.authenticationInfo;
      const evaluation = webauthnFactor.evaluate({
        isAssertionVerified: verification.verified,
        storedSignCount: stored.signCount,
        receivedSignCount: newCounter,
      });
      const audit = {
        gatewayId: deps.gateway.id,
        region: deps.gateway.region,
        applicationId: application.id,
        userId: factor.userId,
        factorId: factor.id,
        attemptId: options.attemptId,
      };
      if (!evaluation.isMatch && evaluation.reason === 'clone_suspected') {
        await writeAuditEvent(sql, {
          ...audit,
          type: 'webauthn.clone_suspected',
          detail: { storedSignCount: stored.signCount, receivedSignCount: newCounter },
        });
        // Two copies of one key exist: rejecting this assertion is not enough, the next one from the
        // copy would pass with a higher counter. The credential is suspended (refused as
        // factor_not_active) in this same transaction, and the application is told (factor.suspended webhook).
        await sql.query("UPDATE factors SET status = 'suspended' WHERE id = $1 AND status = 'active'", [factor.id]);
        await writeAuditEvent(sql, { ...audit, type: 'factor.suspended', detail: { kind: webauthnFactor.kind, reason: 'clone_suspected' } });
      }
      if (!evaluation.isMatch) return evaluation;
      const assertedBackupEligible = credentialDeviceType === 'multiDevice';
      if (hasBackupEligibilityChanged({ registered: backupEligible, asserted: assertedBackupEligible })) {
        await writeAuditEvent(sql, {
          ...audit,
          type: 'webauthn.backup_eligibility_changed',
          detail: { registered: backupEligible, asserted: assertedBackupEligible },
        });
        return { isMatch: false, reason: 'verification_failed' };
      }
      return {
        isMatch: true,
        // Under the factor's row lock; the counter only moves forward (or stays 0 for authenticators without one).
        consume: async () => {
          const cas = await sql.query(
            'UPDATE webauthn_credentials SET sign_count = $2, backup_state = $3 WHERE factor_id = $1 AND (sign_count < $2 OR $2 = 0)',
            [factor.id, evaluation.signCount, credentialBackedUp],
          );
          return cas.rowCount === 1;
        },
      };
    },
  });
}
