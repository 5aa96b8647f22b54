/** NIST SP 800-63B authenticator assurance levels. */
export type AssuranceLevel = 'aal1' | 'aal2' | 'aal3';

/**
 * What every factor module declares about itself; each strategy object is checked against this at
 * compile time with `satisfies`, so a new factor cannot forget its assurance level.
 */
export interface FactorStrategy {
  kind: 'totp' | 'recovery_codes' | 'webauthn';
  assuranceLevel: AssuranceLevel;
  description: string;
}

export const totpStrategy = {
  kind: 'totp',
  // A single-factor OTP device combined with the relying app's password check reaches AAL2.
  assuranceLevel: 'aal2',
  description: 'Time-based one-time password (RFC 6238) from an authenticator app',
} as const satisfies FactorStrategy;

export const recoveryCodeStrategy = {
  kind: 'recovery_codes',
  // NIST 800-63B treats look-up secrets like OTPs: with a password they reach AAL2.
  assuranceLevel: 'aal2',
  description: 'Single-use recovery codes (look-up secrets) for when no other factor is available',
} as const satisfies FactorStrategy;

export const webauthnStrategy = {
  kind: 'webauthn',
  // A cryptographic authenticator with a password reaches AAL2; AAL3 also needs a hardware-bound,
  // non-exportable key, which synced passkeys are not — so the level claimed is the one all reach.
  assuranceLevel: 'aal2',
  description: 'WebAuthn security key or passkey (public-key challenge-response, origin-bound)',
} as const satisfies FactorStrategy;

/** Every factor's strategy by kind: a new kind that is not listed here fails to compile. */
export const factorStrategies: Readonly<Record<FactorStrategy['kind'], FactorStrategy>> = {
  totp: totpStrategy,
  recovery_codes: recoveryCodeStrategy,
  webauthn: webauthnStrategy,
};
