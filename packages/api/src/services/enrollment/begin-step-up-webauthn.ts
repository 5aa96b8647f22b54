import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { EnrollmentPrincipal, ServiceDeps } from '../../deps';
import { beginWebauthnAuthentication } from '../webauthn/begin-webauthn-authentication';

/**
 * A step-up with a security key or passkey starts like any login of the user: an authentication
 * challenge bound to the user (single use, ceremony `authentication`), finished through
 * `stepUpEnrollmentSession` and so through the one write path.
 */
export async function beginStepUpWebauthn(options: {
  deps: ServiceDeps;
  enrollment: EnrollmentPrincipal;
  signal?: AbortSignal;
}): Promise<{ challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }> {
  const { deps, enrollment } = options;
  const application = await deps.db.prisma.application.findUniqueOrThrow({
    where: { id: enrollment.applicationId },
    select: { id: true, name: true, failMode: true },
  });
  return beginWebauthnAuthentication({
    deps,
    application,
    externalUserId: enrollment.externalUserId,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}
