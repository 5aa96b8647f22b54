import { z } from 'zod';

/** The relying application's own user id. */
export const externalUserId = z.string().trim().min(1).max(128);

/** Client-chosen idempotency key: the same value on every retry of one verification. */
export const attemptId = z
  .string()
  .min(8)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only');

export const factorId = z.uuid();

/** A server-side WebAuthn challenge, by id: the challenge bytes never leave the gateway. */
export const webauthnChallengeId = z.uuid();

/** The hosted verification page's capability: the random token in `/verify/<token>`. */
export const transactionToken = z.string().min(20).max(100);

/** The one-time code a hosted verification's callback carries, exchanged by `hosted.redeemResult`. */
export const hostedResultCode = z.string().regex(/^[A-Za-z0-9_-]{43}$/, '43 base64url characters');

/** The one-time token of an enrollment link (`/enroll/<token>`). */
export const enrollmentLinkToken = z.string().min(20).max(100);

/** A name the user gives a factor ("Work phone"). */
export const factorLabel = z.string().trim().min(1).max(64);
