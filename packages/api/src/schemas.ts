// zod schemas for every procedure's input and output. Objects are strict: an unknown field is a
// client bug worth a clear 400, not something to silently ignore.
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import {
  assuranceLevel,
  attemptId,
  bypassCode,
  enrollmentLinkToken,
  externalUserId,
  factorId,
  factorKind,
  factorLabel,
  hostedOutcome,
  hostedResultCode,
  recoveryCode,
  totpCode,
  totpDigits,
  transactionToken,
  verificationResult,
  verifyRejectReason,
  webauthnChallengeId,
} from '@holdfast/validators';
import { webhookDeliveryStatus as webhookDeliveryStatusWord, webhookEvent as webhookEventBody } from '@holdfast/validators';
import {
  deviceName,
  devicePublicJwk,
  deviceSignature,
  deviceTime,
  pushContext,
  pushDecision,
  pushNumberInput,
  pushPairingToken,
  pushStatusWaitMs,
  pushSubscription,
  pushTransactionStatus,
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
  /** Links are short-lived: 15 minutes by default, at most an hour (a link is a bearer credential in someone's inbox). */
  ttlSeconds: z
    .number()
    .int()
    .min(60)
    .max(60 * 60)
    .default(15 * 60),
});
export const createLinkOutput = z.strictObject({ token: z.string(), url: z.string(), expiresAt: z.date() });

export const redeemLinkInput = z.strictObject({ token: enrollmentLinkToken });
export const redeemLinkOutput = z.strictObject({ sessionToken: z.string(), expiresAt: z.date(), userId: z.string() });
// Step-up: the enrollment session proves it is the user before changing factors (core policy/step-up.ts).
export const stepUpTotpInput = z.strictObject({
  code: totpCode,
  /** Which authenticator app, when the user has several (default: the newest). */
  factorId: factorId.optional(),
});
export const stepUpRecoveryCodeInput = z.strictObject({ code: recoveryCode });
export const stepUpOutput = z.discriminatedUnion('outcome', [
  z.strictObject({ outcome: z.literal('accepted'), factorId: z.string(), validUntil: z.date() }),
  z.strictObject({ outcome: z.literal('rejected'), reason: verifyRejectReason.nullable() }),
]);
export const enrollmentSessionOutput = z.strictObject({
  userId: z.string(),
  stepUp: z.enum(['not_needed', 'fresh', 'required']),
  stepUpValidUntil: z.date().nullable(),
  stepUpKinds: z.array(factorKind),
  totpFactors: z.array(z.strictObject({ id: z.string(), label: z.string() })),
});
export const inspectLinkOutput = z.strictObject({ state: z.enum(['valid', 'invalid', 'expired', 'used', 'superseded']) });

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
/** A one-time code an admin issued the user (issue 13; admin.bypass.issue). */
export const verifyBypassCodeInput = z.strictObject({ userId: externalUserId, attemptId, code: bypassCode });
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
  /** Must equal one of the application's registered callback URLs; https (http only on localhost). */
  callbackUrl: z.url({ protocol: /^https?$/ }).max(2048),
  /** Required, opaque to Holdfast: echoed back on the callback; bind it to the browser session that started the verification. */
  state: z.string().min(1).max(512),
  /** Only these kinds may be used on the page (default: every kind the user has). */
  allowedFactorKinds: z.array(factorKind).min(1).max(8).optional(),
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
/** The callback's `code`, and the user the application expects it to be for (another user's code is refused). */
export const redeemResultInput = z.strictObject({ code: hostedResultCode, userId: externalUserId });
export const redeemResultOutput = z.strictObject({
  userId: z.string(),
  amr: z.array(z.string()),
  transactionId: z.string(),
  state: z.string().nullable(),
  /** The same result as an ES256 JWT (iss = Holdfast's public URL, aud = the application), verifiable with the JWKS: a receipt to keep. */
  receipt: z.string(),
});

// Webhooks (services/webhooks): the relying application's endpoint and its delivery log.
export const configureWebhookInput = z.strictObject({
  /** https (http only for localhost); `null` removes the endpoint. */
  url: z.string().min(1).max(2048).nullable(),
  /** Issue a new signing secret even though the endpoint already has one. */
  rotateSecret: z.boolean().default(false),
});
export const configureWebhookOutput = z.strictObject({
  url: z.string().nullable(),
  /** Shown once, when created or rotated; null otherwise. */
  secret: z.string().nullable(),
  secretCreatedAt: z.date().nullable(),
});
export const webhookDeliveriesInput = z
  .strictObject({
    limit: z.number().int().min(1).max(100).default(20),
    cursor: z.string().max(20).nullable().default(null),
    status: webhookDeliveryStatusWord.nullable().default(null),
  })
  .prefault({});
export const webhookDeliveriesOutput = z.strictObject({
  deliveries: z.array(
    z.strictObject({
      id: z.string(),
      type: z.string(),
      status: webhookDeliveryStatusWord,
      event: webhookEventBody,
      attemptCount: z.number().int(),
      nextAttemptAt: z.date().nullable(),
      deliveredAt: z.date().nullable(),
      createdAt: z.date(),
      attempts: z.array(
        z.strictObject({
          attempt: z.number().int(),
          startedAt: z.date(),
          durationMs: z.number().int(),
          statusCode: z.number().int().nullable(),
          error: z.string().nullable(),
          gatewayId: z.string(),
        }),
      ),
    }),
  ),
  nextCursor: z.string().nullable(),
});
export const redeliverWebhookInput = z.strictObject({ deliveryId: z.uuid() });
export const redeliverWebhookOutput = z.strictObject({ id: z.string(), status: z.literal('pending') });

// Push approval (issue 11). Relying application: begin a push, learn its status.
export const pushBeginInput = z.strictObject({ userId: externalUserId, attemptId, context: pushContext.optional() });
export const pushBeginOutput = z.strictObject({
  transactionId: z.string(),
  /** Show it on the login screen: the user types it on the device. */
  number: z.string(),
  expiresAt: z.date(),
  status: pushTransactionStatus,
  /** Devices a Web Push was addressed to (0: the user must open the app; pending requests are listed there). */
  deviceCount: z.int(),
  /** The attempt id was seen before: this is that transaction, as it is now. */
  replayed: z.boolean(),
});
export const pushStatusInput = z
  .strictObject({ transactionId: z.uuid().optional(), attemptId: attemptId.optional(), waitMs: pushStatusWaitMs.optional() })
  .refine((input) => (input.transactionId === undefined) !== (input.attemptId === undefined), { message: 'exactly one of transactionId and attemptId' });
export const pushStatusOutput = z.strictObject({
  transactionId: z.string(),
  status: pushTransactionStatus,
  /** approved | denied_by_user | fraud_reported | wrong_number | expired; null while pending. */
  reason: z.string().nullable(),
  expiresAt: z.date(),
  decidedAt: z.date().nullable(),
});

// Push approval: the device (the PWA) — authenticated by its signature, never by a bearer.
export const pushConfigOutput = z.strictObject({ vapidPublicKey: z.string() });
export const pushPairingInput = z.strictObject({ pairingToken: pushPairingToken });
export const inspectPushPairingOutput = z.strictObject({ applicationName: z.string(), userId: z.string(), expiresAt: z.date() });
export const pairPushDeviceInput = z.strictObject({
  pairingToken: pushPairingToken,
  publicKeyJwk: devicePublicJwk,
  subscription: pushSubscription.nullable(),
  name: deviceName,
});
export const pairPushDeviceOutput = z.strictObject({
  deviceId: z.string(),
  applicationId: z.string(),
  applicationName: z.string(),
  userId: z.string(),
  /** What the device signs into every request (core pushSignatureAudience). */
  audience: z.string(),
  vapidPublicKey: z.string(),
});
export const devicePendingInput = z.strictObject({ deviceId: z.uuid(), deviceTime, signature: deviceSignature });
export const devicePendingOutput = z.strictObject({
  transactions: z.array(
    z.strictObject({
      transactionId: z.string(),
      applicationName: z.string(),
      context: pushContext,
      createdAt: z.date(),
      expiresAt: z.date(),
    }),
  ),
});
export const deviceAnswerInput = z.strictObject({
  deviceId: z.uuid(),
  transactionId: z.uuid(),
  typedNumber: pushNumberInput,
  decision: pushDecision,
  deviceTime,
  signature: deviceSignature,
});
export const deviceAnswerOutput = z.strictObject({ status: pushTransactionStatus, reason: z.string() });
export const deviceUpdateSubscriptionInput = z.strictObject({ deviceId: z.uuid(), subscription: pushSubscription, deviceTime, signature: deviceSignature });
export const deviceUpdateSubscriptionOutput = z.strictObject({ ok: z.literal(true) });

// Push approval: the portal pairs a device; the hosted page offers "Approve on your phone".
export const createPushPairingOutput = z.strictObject({ pairingUrl: z.string(), expiresAt: z.date() });
export const hostedPushBeginOutput = z.strictObject({ transactionId: z.string(), number: z.string(), expiresAt: z.date() });
export const hostedPushStatusInput = z.strictObject({ token: transactionToken, transactionId: z.uuid(), waitMs: pushStatusWaitMs.optional() });
export const hostedPushStatusOutput = z.strictObject({ status: pushTransactionStatus, outcome: hostedOutcome.nullable() });
// Push approval as a step-up in the portal ("Confirm it's you" with a paired phone).
export const stepUpPushBeginOutput = hostedPushBeginOutput;
export const stepUpPushStatusInput = z.strictObject({ transactionId: z.uuid(), waitMs: pushStatusWaitMs.optional() });
export const stepUpPushStatusOutput = z.strictObject({ status: pushTransactionStatus, validUntil: z.date().nullable() });
