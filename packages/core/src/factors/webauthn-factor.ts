import { isSignCountSuspicious } from '../webauthn/sign-count';
import type { FactorEvaluation, FactorModule } from './factor-module';

export type WebauthnEvaluation = FactorEvaluation<{ signCount: number }, 'verification_failed' | 'clone_suspected'>;

/**
 * The decision after the assertion's cryptographic check (signature, origin, RP ID, user
 * verification — done by the caller with its WebAuthn library): a failed check is
 * `verification_failed`; a signature counter that did not move forward (WebAuthn §7.2 step 21)
 * is `clone_suspected`; else a match with the counter to store.
 */
export function evaluateWebauthnAssertion(options: { isAssertionVerified: boolean; storedSignCount: number; receivedSignCount: number }): WebauthnEvaluation {
  if (!options.isAssertionVerified) return { isMatch: false, reason: 'verification_failed' };
  if (isSignCountSuspicious({ stored: options.storedSignCount, received: options.receivedSignCount })) {
    return { isMatch: false, reason: 'clone_suspected' };
  }
  return { isMatch: true, signCount: options.receivedSignCount };
}

export const webauthnFactor = {
  kind: 'webauthn',
  // A cryptographic authenticator with a password reaches AAL2; AAL3 also needs a hardware-bound,
  // non-exportable key, which synced passkeys are not — so the level claimed is the one all reach.
  assuranceLevel: 'aal2',
  description: 'WebAuthn security key or passkey (public-key challenge-response, origin-bound)',
  noun: 'security key or passkey',
  amr: 'hwk',
  evaluate: evaluateWebauthnAssertion,
} as const satisfies FactorModule<'webauthn'>;
