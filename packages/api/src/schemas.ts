// zod schemas for every procedure's input and output. Objects are strict: an unknown field is a
// client bug worth a clear 400, not something to silently ignore.
import { z } from 'zod';

/** The relying application's own user id. */
export const externalUserId = z.string().trim().min(1).max(128);
/** Client-chosen idempotency key: the same value on every retry of one verification. */
export const attemptId = z.string().min(8).max(128).regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only');
export const totpCode = z.string().regex(/^\d{6}$|^\d{8}$/, 'a 6- or 8-digit code');
export const recoveryCode = z.string().min(10).max(32);
export const factorId = z.uuid();

export const preauthInput = z.strictObject({ userId: externalUserId });
export const preauthOutput = z.discriminatedUnion('result', [
  z.strictObject({
    result: z.literal('auth'),
    factors: z.array(z.strictObject({
      id: z.string(),
      kind: z.enum(['totp', 'recovery_codes']),
      label: z.string(),
      isLocked: z.boolean(),
      remainingCodes: z.number().int().nullable(),
    })),
  }),
  z.strictObject({ result: z.literal('enroll') }),
]);

export const createLinkInput = z.strictObject({
  userId: externalUserId,
  ttlSeconds: z.number().int().min(60).max(7 * 24 * 3600).default(24 * 3600),
});
export const createLinkOutput = z.strictObject({ token: z.string(), url: z.string(), expiresAt: z.date() });

export const redeemLinkInput = z.strictObject({ token: z.string().min(20).max(100) });
export const redeemLinkOutput = z.strictObject({ sessionToken: z.string(), expiresAt: z.date(), userId: z.string() });

export const beginTotpInput = z.strictObject({
  label: z.string().trim().min(1).max(64).default('Authenticator app'),
  algorithm: z.enum(['SHA1', 'SHA256', 'SHA512']).default('SHA1'),
  digits: z.union([z.literal(6), z.literal(8)]).default(6),
  period: z.union([z.literal(30), z.literal(60)]).default(30),
});
export const beginTotpOutput = z.strictObject({ factorId: z.string(), secret: z.string(), otpauthUri: z.string() });

export const confirmTotpInput = z.strictObject({ factorId, code: totpCode });
export const confirmTotpOutput = z.strictObject({ factorId: z.string(), status: z.literal('active') });

export const generateRecoveryCodesOutput = z.strictObject({ factorId: z.string(), codes: z.array(z.string()) });

export const verifyTotpInput = z.strictObject({ userId: externalUserId, attemptId, code: totpCode, factorId: factorId.optional() });
export const verifyRecoveryCodeInput = z.strictObject({ userId: externalUserId, attemptId, code: recoveryCode });
export const verificationOutput = z.strictObject({
  attemptId: z.string(),
  outcome: z.enum(['accepted', 'rejected']),
  reason: z.enum(['invalid_code', 'replay', 'locked', 'factor_not_active']).nullable(),
  factorId: z.string().nullable(),
  decidedAt: z.string(),
  gatewayId: z.string(),
  region: z.string(),
});
export const statusInput = z.strictObject({ attemptId });
