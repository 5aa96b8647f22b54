// zod schemas for every procedure's input and output. Objects are strict: an unknown field is a
// client bug worth a clear 400, not something to silently ignore.
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import {
  assuranceLevel,
  attemptId,
  enrollmentLinkToken,
  externalUserId,
  factorId,
  factorKind,
  factorLabel,
  hostedOutcome,
  recoveryCode,
  totpCode,
  totpDigits,
  transactionToken,
  verificationResult,
  webauthnChallengeId,
} from '@holdfast/validators';
import { z } from 'zod';

// The system's words (kinds, code formats, reasons, outcomes, ids) come from @holdfast/validators;
// this file only puts them together into each procedure's input and output.

export const preauthInput = z.strictObject({ userId: externalUserId });
export const preauthOutput = z.discriminatedUnion('result', [
  z.strictObject({
    result: z.literal('auth'),
    factors: z.array(
      z.strictObject({
        id: z.string(),
        kind: factorKind,
        label: z.string(),
        isLocked: z.boolean(),
        remainingCodes: z.number().int().nullable(),
        /** WebAuthn only: the authenticator model's name when it is a well-known one. */
        authenticatorName: z.string().nullable(),
        assuranceLevel,
      }),
    ),
  }),
  z.strictObject({ result: z.literal('enroll') }),
]);

export const createLinkInput = z.strictObject({
  userId: externalUserId,
  ttlSeconds: z
    .number()
    .int()
    .min(60)
    .max(7 * 24 * 3600)
    .default(24 * 3600),
});
export const createLinkOutput = z.strictObject({ token: z.string(), url: z.string(), expiresAt: z.date() });

export const redeemLinkInput = z.strictObject({ token: enrollmentLinkToken });
export const redeemLinkOutput = z.strictObject({ sessionToken: z.string(), expiresAt: z.date(), userId: z.string() });

export const beginTotpInput = z.strictObject({
  label: factorLabel.default('Authenticator app'),
  algorithm: z.enum(['SHA1', 'SHA256', 'SHA512']).default('SHA1'),
  digits: totpDigits.default(6),
  period: z.union([z.literal(30), z.literal(60)]).default(30),
});
export const beginTotpOutput = z.strictObject({ factorId: z.string(), secret: z.string(), otpauthUri: z.string() });

export const confirmTotpInput = z.strictObject({ factorId, code: totpCode });
export const confirmTotpOutput = z.strictObject({ factorId: z.string(), status: z.literal('active') });

export const generateRecoveryCodesOutput = z.strictObject({ factorId: z.string(), codes: z.array(z.string()) });

export const verifyTotpInput = z.strictObject({ userId: externalUserId, attemptId, code: totpCode, factorId: factorId.optional() });
export const verifyRecoveryCodeInput = z.strictObject({ userId: externalUserId, attemptId, code: recoveryCode });
export const verificationOutput = verificationResult;
export const statusInput = z.strictObject({ attemptId });

// WebAuthn. Responses are the JSON @simplewebauthn/browser produces (base64url strings); they are
// checked for shape here and cryptographically by the service.
const base64url = z
  .string()
  .max(8192)
  .regex(/^[A-Za-z0-9_-]*$/, 'base64url');
const clientExtensionResults = z.record(z.string(), z.unknown());
const authenticatorAttachment = z.enum(['platform', 'cross-platform']).optional();
// Transport hints ('usb', 'internal', 'hybrid', …); new ones appear, unknown ones are ignored on use.
const transport = z.string().min(1).max(32);

export const webauthnRegistrationResponse = z.strictObject({
  id: base64url,
  rawId: base64url,
  type: z.literal('public-key'),
  authenticatorAttachment,
  clientExtensionResults,
  response: z.strictObject({
    clientDataJSON: base64url,
    attestationObject: base64url,
    authenticatorData: base64url.optional(),
    transports: z.array(transport).max(8).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: base64url.optional(),
  }),
});

export const webauthnAuthenticationResponse = z.strictObject({
  id: base64url,
  rawId: base64url,
  type: z.literal('public-key'),
  authenticatorAttachment,
  clientExtensionResults,
  response: z.strictObject({
    clientDataJSON: base64url,
    authenticatorData: base64url,
    signature: base64url,
    userHandle: base64url.optional(),
  }),
});

// Options for the browser's `navigator.credentials.create/get`, built by @simplewebauthn/server.
const isObject = (value: unknown): boolean => typeof value === 'object' && value !== null;
const creationOptions = z.custom<PublicKeyCredentialCreationOptionsJSON>(isObject);
const requestOptions = z.custom<PublicKeyCredentialRequestOptionsJSON>(isObject);

export const beginWebauthnRegistrationOutput = z.strictObject({ challengeId: z.string(), options: creationOptions });
export const finishWebauthnRegistrationInput = z.strictObject({
  challengeId: webauthnChallengeId,
  response: webauthnRegistrationResponse,
  label: factorLabel.default('Security key'),
});
export const finishWebauthnRegistrationOutput = z.strictObject({
  factorId: z.string(),
  status: z.literal('active'),
  authenticatorName: z.string().nullable(),
});

export const webauthnBeginInput = z.strictObject({ userId: externalUserId });
export const webauthnBeginOutput = z.strictObject({ challengeId: z.string(), options: requestOptions });
export const webauthnFinishInput = z.strictObject({
  userId: externalUserId,
  attemptId,
  challengeId: webauthnChallengeId,
  response: webauthnAuthenticationResponse,
});

// Hosted verification page.
export const createTransactionInput = z.strictObject({
  userId: externalUserId,
  /** Must equal one of the application's registered callback URLs. */
  callbackUrl: z.url({ protocol: /^https?$/ }).max(2048),
  /** Opaque to Holdfast: echoed back on the callback (e.g. your CSRF / session binding). */
  state: z.string().min(1).max(512).optional(),
});
export const createTransactionOutput = z.strictObject({ transactionId: z.string(), url: z.string(), expiresAt: z.date() });
export const hostedTokenInput = z.strictObject({ token: transactionToken });
export const getTransactionOutput = z.strictObject({
  applicationName: z.string(),
  factors: z.array(factorKind),
  expiresAt: z.date(),
});
export const hostedVerifyTotpInput = z.strictObject({ token: transactionToken, code: totpCode });
export const hostedVerifyRecoveryCodeInput = z.strictObject({ token: transactionToken, code: recoveryCode });
export const hostedWebauthnFinishInput = z.strictObject({
  token: transactionToken,
  challengeId: webauthnChallengeId,
  response: webauthnAuthenticationResponse,
});
export const hostedOutcomeOutput = hostedOutcome;
export const redeemResultInput = z.strictObject({ token: z.string().min(10).max(4096) });
export const redeemResultOutput = z.strictObject({ userId: z.string(), amr: z.array(z.string()), transactionId: z.string() });
