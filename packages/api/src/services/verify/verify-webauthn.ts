import { hasBackupEligibilityChanged, HoldfastError, webauthnFactor } from '@holdfast/core';
import { withDatabaseRetry, writeAuditEvent } from '@holdfast/db';
import { verifyAuthenticationResponse, type AuthenticationResponseJSON, type VerifiedAuthenticationResponse } from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import { createHash } from 'node:crypto';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';
import { consumeWebauthnChallenge } from '../webauthn/webauthn-challenges';
import { loadWebauthnPolicy, secureOrigins, toTransports, type WebauthnPolicy } from '../webauthn/webauthn-policy';
import { tryFastVerification, type ConsumeClause, type SqlParam } from './fast-verification';
import { runVerification } from './run-verification';
import type { VerificationResult } from './verification-result';
import { lockoutPolicyFor } from './lockout-policy';

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
  application: Pick<ApplicationPrincipal, 'id' | 'lockout'>;
  attemptId: string;
  externalUserId: string;
  challengeId: string;
  response: AuthenticationResponseJSON;
  signal?: AbortSignal;
}): Promise<VerificationResult> {
  const { deps, application } = options;
  const credentialId = Buffer.from(isoBase64URL.toBuffer(options.response.rawId));
  // Binds the attempt id to this assertion: same challenge, same credential, same signed data.
  const boundCredential = JSON.stringify([
    options.challengeId,
    options.response.rawId,
    createHash('sha256').update(Buffer.from(options.response.response.authenticatorData, 'base64url')).digest('base64url'),
  ]);

  // The two-round-trip path first; it hands over (null) for a replayed attempt id, a clone, a
  // changed backup eligibility, a lock or a conflict, and the locked path below decides.
  const lockoutPolicy = await lockoutPolicyFor(deps, application, options.signal);
  const fastResult = await withDatabaseRetry(
    deps,
    (deadline) =>
      tryFastVerification({
        deadline,
        deps,
        policy: lockoutPolicy,
        applicationId: application.id,
        attemptId: options.attemptId,
        externalUserId: options.externalUserId,
        factorId: null,
        kind: webauthnFactor.kind,
        credential: boundCredential,
        fast: {
          webauthn: { credentialId, challengeId: options.challengeId },
          evaluate: async ({ factor, webauthn }) => {
            if (factor.webauthn === null || webauthn === null) return null;
            const { challenge } = webauthn;
            if (challenge?.isConsumed === true) return { outcome: { isMatch: false, reason: 'replay' }, consume: null };
            if (challenge === null || !challenge.isLive) {
              throw new HoldfastError(
                'WEBAUTHN_CHALLENGE_INVALID',
                'this WebAuthn challenge is unknown, expired, or not an authentication challenge for this user; begin again',
              );
            }
            // Invariant 5: the challenge is used up by this answer whatever its outcome.
            const useChallenge = (param: SqlParam): ConsumeClause => {
              const id = param(options.challengeId);
              return {
                lock: `JOIN webauthn_challenges ch ON ch.id = ${id}::uuid AND ch.user_id = u.id AND ch.consumed_at IS NULL AND ch.expires_at > now()`,
                writes: [`UPDATE webauthn_challenges SET consumed_at = now() WHERE id = ${id}::uuid AND consumed_at IS NULL`],
              };
            };
            const checked = await checkAssertion({
              response: options.response,
              challenge: challenge.bytes,
              stored: factor.webauthn,
              policy: { ...webauthn.policy, allowedOrigins: secureOrigins(webauthn.policy.allowedOrigins) },
            });
            if (!checked.isVerified) return { outcome: { isMatch: false, reason: 'verification_failed' }, consume: useChallenge };
            const evaluation = webauthnFactor.evaluate({
              isAssertionVerified: true,
              storedSignCount: factor.webauthn.signCount,
              receivedSignCount: checked.newCounter,
            });
            // A clone is suspended and audited by the locked path (more rows than this path writes).
            if (!evaluation.isMatch && evaluation.reason === 'clone_suspected') return null;
            if (!evaluation.isMatch) return { outcome: evaluation, consume: useChallenge };
            if (hasBackupEligibilityChanged({ registered: webauthn.backupEligible, asserted: checked.credentialDeviceType === 'multiDevice' })) return null;
            return {
              outcome: { isMatch: true },
              consume: (param) => {
                const challengeUse = useChallenge(param);
                const signCount = param(evaluation.signCount);
                // The counter only moves forward (or stays 0 for authenticators without one).
                return {
                  lock: `${challengeUse.lock} JOIN webauthn_credentials w ON w.factor_id = f.id AND (w.sign_count < ${signCount}::bigint OR ${signCount}::bigint = 0)`,
                  writes: [
                    ...challengeUse.writes,
                    `UPDATE webauthn_credentials SET sign_count = ${signCount}::bigint, backup_state = ${param(checked.credentialBackedUp)}::boolean WHERE factor_id = ${param(factor.id)}::uuid`,
                  ],
                };
              },
            };
          },
        },
      }),
    options.signal,
  );
  if (fastResult !== null) return fastResult;

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
    credential: boundCredential,
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

      const checked = await checkAssertion({ response: options.response, challenge: consumed.challenge, stored, policy });
      if (!checked.isVerified) return { isMatch: false, reason: 'verification_failed' };
      const { newCounter, credentialBackedUp, credentialDeviceType } = checked;
      const evaluation = webauthnFactor.evaluate({
        isAssertionVerified: true,
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

/**
 * The assertion against the stored credential and the application's policy (origin, RP ID, user
 * verification, signature over the challenge). Counter 0 turns off the library's own counter check
 * (it throws an untyped error): the rule is applied by core, so a clone is told apart from a bad
 * signature and audited.
 */
async function checkAssertion(options: {
  response: AuthenticationResponseJSON;
  challenge: Buffer;
  stored: { credentialId: Buffer; publicKey: Buffer; transports: string[] };
  policy: Pick<WebauthnPolicy, 'rpId' | 'allowedOrigins' | 'userVerification'>;
}): Promise<
  | { isVerified: false }
  | ({ isVerified: true } & Pick<VerifiedAuthenticationResponse['authenticationInfo'], 'newCounter' | 'credentialBackedUp' | 'credentialDeviceType'>)
> {
  const { stored, policy } = options;
  try {
    const verification = await verifyAuthenticationResponse({
      response: options.response,
      expectedChallenge: isoBase64URL.fromBuffer(new Uint8Array(options.challenge)),
      expectedOrigin: policy.allowedOrigins,
      expectedRPID: policy.rpId,
      credential: {
        id: isoBase64URL.fromBuffer(new Uint8Array(stored.credentialId)),
        publicKey: new Uint8Array(stored.publicKey),
        counter: 0,
        transports: toTransports(stored.transports),
      },
      requireUserVerification: policy.userVerification === 'required',
    });
    if (!verification.verified) return { isVerified: false };
    const { newCounter, credentialBackedUp, credentialDeviceType } = verification.authenticationInfo;
    return { isVerified: true, newCounter, credentialBackedUp, credentialDeviceType };
  } catch {
    return { isVerified: false };
  }
}
