import { HoldfastError, readRandomBytes } from '@holdfast/core';
import { withDatabaseRetry } from '@holdfast/db';
import { generateAuthenticationOptions, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';
import { issueWebauthnChallenge } from './webauthn-challenges';
import { loadWebauthnPolicy, toTransports, webauthnChallengeBytes, webauthnChallengeTtlMs } from './webauthn-policy';

/**
 * A relying application starts a WebAuthn login: an authentication challenge bound to this user,
 * stored server side (any gateway can finish it), and options for `navigator.credentials.get`
 * listing the user's active credentials.
 */
export async function beginWebauthnAuthentication(options: {
  deps: ServiceDeps;
  application: ApplicationPrincipal;
  externalUserId: string;
  signal?: AbortSignal;
}): Promise<{ challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }> {
  const { deps, application } = options;
  const challenge = readRandomBytes({ random: deps.random, size: webauthnChallengeBytes });
  // A retry after a lost reply issues a second challenge; the first one simply expires unused.
  const { policy, credentials, challengeId } = await withDatabaseRetry(
    deps,
    async () => {
      const user = await deps.db.prisma.user.findUnique({
        where: { applicationId_externalId: { applicationId: application.id, externalId: options.externalUserId } },
        select: {
          id: true,
          factors: { where: { kind: 'webauthn', status: 'active' }, select: { webauthn: { select: { credentialId: true, transports: true } } } },
        },
      });
      if (user === null) throw new HoldfastError('USER_NOT_FOUND', 'no such user for this application');
      const found = user.factors.flatMap((factor) => (factor.webauthn === null ? [] : [factor.webauthn]));
      if (found.length === 0) throw new HoldfastError('FACTOR_NOT_FOUND', 'the user has no security key or passkey');
      const loaded = await loadWebauthnPolicy({ deps, applicationId: application.id });
      const id = await issueWebauthnChallenge({ sql: deps.db.pool, applicationId: application.id, userId: user.id, ceremony: 'authentication', challenge });
      return { policy: loaded, credentials: found, challengeId: id };
    },
    options.signal,
  );
  const requestOptions = await generateAuthenticationOptions({
    rpID: policy.rpId,
    // A copy on a plain ArrayBuffer, as the library's types ask.
    challenge: new Uint8Array(challenge),
    timeout: webauthnChallengeTtlMs,
    userVerification: policy.userVerification,
    allowCredentials: credentials.map((credential) => ({
      id: isoBase64URL.fromBuffer(new Uint8Array(credential.credentialId)),
      transports: toTransports(credential.transports),
    })),
  });
  return { challengeId, options: requestOptions };
}
