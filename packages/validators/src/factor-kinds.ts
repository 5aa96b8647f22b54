import { z } from 'zod';

/**
 * Every kind of factor Holdfast verifies. The database enum `factor_kind` (prisma/schema.prisma)
 * holds the same words; a kind added there and not here fails to compile where the api maps a
 * Prisma row to these types. A paired push-approval device is a factor of kind `push`. A `bypass`
 * factor is a one-time code an admin issued (issue 13): the user never enrolled it and never sees it
 * among their factors; it ends at its first use or its expiry.
 */
export const factorKinds = ['totp', 'recovery_codes', 'webauthn', 'push', 'bypass'] as const;
export const factorKind = z.enum(factorKinds);
export type FactorKind = z.infer<typeof factorKind>;

/**
 * A factor's life: `pending` while its enrolment is unfinished (a TOTP secret shown but not yet
 * confirmed with a code), `active` once it can be used to sign in, `revoked` when removed (kept
 * for the audit trail, never used again), `suspended` when a WebAuthn credential looks cloned (its
 * signature counter went back): refused until the application revokes it.
 */
export const factorStatuses = ['pending', 'active', 'revoked', 'suspended'] as const;
export const factorStatus = z.enum(factorStatuses);
export type FactorStatus = z.infer<typeof factorStatus>;

/** What a user sees of their own factors while enrolling: revoked ones are gone for them. */
export const enrollmentFactorStatus = factorStatus.exclude(['revoked']);
export type EnrollmentFactorStatus = z.infer<typeof enrollmentFactorStatus>;

/** NIST SP 800-63B authenticator assurance levels. */
export const assuranceLevels = ['aal1', 'aal2', 'aal3'] as const;
export const assuranceLevel = z.enum(assuranceLevels);
export type AssuranceLevel = z.infer<typeof assuranceLevel>;
