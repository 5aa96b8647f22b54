import { z } from 'zod';

// Push approval's words (issue 11): what a relying app, the portal, the hosted page and the
// push PWA send and receive. Core decides (packages/core/src/push); these only shape the wire.

/** `pending → approved | denied | expired`, nothing else (core push-transaction.ts). */
export const pushTransactionStatuses = ['pending', 'approved', 'denied', 'expired'] as const;
export const pushTransactionStatus = z.enum(pushTransactionStatuses);
export type PushTransactionStatusWord = z.infer<typeof pushTransactionStatus>;

/** "Approve" (with the typed number), "This wasn't me", "Report fraud". */
export const pushDecisionWords = ['approve', 'deny', 'fraud'] as const;
export const pushDecision = z.enum(pushDecisionWords);

/** Why a transaction ended as it did (stored in push_transactions.reason). */
export const pushOutcomeReasons = ['approved', 'denied_by_user', 'fraud_reported', 'wrong_number', 'expired'] as const;
export const pushOutcomeReason = z.enum(pushOutcomeReasons);

/** Printable text with no control characters: it is shown on a phone and written to the audit trail. */
const displayText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\p{Cc}\p{Cf}]*$/u, 'no control or format characters');

/**
 * What the login screen knows about the login, shown on the device so the user can tell their own
 * login from an attacker's. All optional; all the relying app's claims (never trusted for a decision).
 */
export const pushContext = z.strictObject({
  ipAddress: z.union([z.ipv4(), z.ipv6()]).optional(),
  /** Approximate, as the relying app resolved it ("Lisbon, PT"). */
  location: displayText(64).optional(),
  /** "Firefox on Linux". */
  browser: displayText(128).optional(),
});
export type PushContext = z.infer<typeof pushContext>;

const base64url = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, 'base64url');

/**
 * A Web Push subscription (`PushSubscription.toJSON()` minus expirationTime). The endpoint is
 * https: the gateway POSTs to it (and only to hosts the deployment allows: HOLDFAST_PUSH_SERVICE_HOSTS).
 */
export const pushSubscription = z.strictObject({
  endpoint: z.url({ protocol: /^https$/ }).max(1024),
  keys: z.strictObject({
    /** The device's P-256 ECDH public key, 65 bytes uncompressed → 87 base64url characters. */
    p256dh: base64url(86, 88),
    /** 16-byte authentication secret → 22 base64url characters. */
    auth: base64url(22, 24),
  }),
});
export type PushSubscriptionInput = z.infer<typeof pushSubscription>;

/** The one-time pairing token in `<push origin>/pair#<token>` (32 random bytes, base64url). */
export const pushPairingToken = z.string().regex(/^[A-Za-z0-9_-]{43}$/, '43 base64url characters');

/** A device's ECDSA P-256 signature, IEEE P1363 `r || s` (64 bytes) in base64url: 86 characters. */
export const deviceSignature = z.string().regex(/^[A-Za-z0-9_-]{86}$/, '64 bytes of base64url (IEEE P1363 r || s)');

/** The device's signed clock, integer milliseconds since the epoch. */
export const deviceTime = z.int().min(0).max(8_640_000_000_000_000);

/** A paired device's name ("Ana's phone"): it is the factor's label. */
export const deviceName = displayText(64);

/**
 * What a person types from the login screen into the device: as typed (the signature covers the
 * exact text; core's number match normalises). Empty for deny and fraud.
 */
export const pushNumberInput = z.string().max(8);

/** The device's public key as WebCrypto exports it; core parses it strictly (parseDevicePublicJwk). */
export const devicePublicJwk = z.record(z.string(), z.unknown());

/** How long `verify.pushStatus` may wait for a decision (long-poll), in milliseconds. */
export const maxPushStatusWaitMs = 25_000;
export const pushStatusWaitMs = z.int().min(0).max(maxPushStatusWaitMs);
