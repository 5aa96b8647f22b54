import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { ServiceDeps } from '../../deps';
import type { VerificationResult } from './verification-result';
import { verifyRecoveryCode } from './verify-recovery-code';
import { verifyTotp } from './verify-totp';
import { verifyWebauthn } from './verify-webauthn';

/** What the user presented, by factor kind. */
export type PresentedCredential =
  | { kind: 'totp'; /** null: the user's active TOTP factor. */ factorId: string | null; code: string }
  | { kind: 'recovery_codes'; code: string }
  | { kind: 'webauthn'; challengeId: string; response: AuthenticationResponseJSON };

/**
 * The one write path for any code that checks a factor outside the public verify procedures
 * (removing the last factor, step-up before a factor change, the hosted page, future push):
 * counting, per-factor and account-wide lockout, single use, idempotency and audit all apply
 * exactly as for `verify.*`. Callers derive `attemptId` server side (e.g. `remove-<uuid>`,
 * `stepup-<uuid>`), so a client can never pick an id that replays someone else's outcome.
 * A rejected verification is returned (outcome 'rejected' + reason), not thrown; callers decide
 * which error to show. Throws HoldfastError for unknown user / factor / challenge.
 */
export async function verifyFactorForUser(options: {
  deps: ServiceDeps;
  applicationId: string;
  /** The application's own user id (EnrollmentPrincipal.externalUserId), not the internal uuid. */
  externalUserId: string;
  credential: PresentedCredential;
  attemptId: string;
  signal?: AbortSignal;
}): Promise<VerificationResult> {
  const { deps, credential } = options;
  const common = {
    deps,
    application: { id: options.applicationId },
    attemptId: options.attemptId,
    externalUserId: options.externalUserId,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  switch (credential.kind) {
    case 'totp':
      return verifyTotp({ ...common, factorId: credential.factorId, code: credential.code });
    case 'recovery_codes':
      return verifyRecoveryCode({ ...common, code: credential.code });
    case 'webauthn':
      return verifyWebauthn({ ...common, challengeId: credential.challengeId, response: credential.response });
  }
}
