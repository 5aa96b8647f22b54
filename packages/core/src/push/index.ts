// Push approval (issue 11) — the plan, for whoever builds the rest. This folder is the pure part.
//
// TABLES (one migration; Prisma models beside the others)
// - push_devices: 1:1 with a `factors` row of kind `push` (as totp_factors is), so a device is a
//   bound factor: step-up to add/remove (inv. 11), factors.list/revoke, factor.enrolled/revoked
//   webhooks. Columns: factor_id, user_id, public_jwk (jsonb, parseDevicePublicJwk at pairing),
//   subscription_enc (envelope-encrypted {endpoint, keys}, AAD `push-subscription:<factor id>`;
//   inv. 6; null once its push service answers 404/410), vapid_key_id, name, created_at, last_seen_at.
// - push_transactions: id (UUIDv7), application_id, user_id, attempt_id (unique per application:
//   a retried pushBegin returns the same transaction), number (never sent to a device), context
//   (jsonb: application name, IP, approximate location, browser), status CHECK (pending, approved,
//   denied, expired), reason, expires_at, created_at, decided_at, device_id, answer_signature_sha256
//   (forensics and idempotent re-sends only — ECDSA is malleable, so never a replay key).
//   Partial unique index (user_id) WHERE status = 'pending': one pending push per user, in the schema.
// - push_pairing_tokens: SHA-256 of 32 random bytes, user, application, enrollment session,
//   expires_at (≤ 10 min), redeemed_at. users.push_suspended_until. applications: push TTL,
//   digits, max per window, window (defaults in push-transaction.ts / push-fatigue.ts).
//
// PROCEDURES (services in packages/api/src/services/push/*, plain SQL where the CAS is the invariant)
// - enrollment.createPushPairing (portal, after decideFactorChange 'add'): token → QR of
//   `<push origin>/pair#<token>` (a fragment: never in logs or Referer).
// - push.pairDevice(token, public JWK, subscription, name): redeem the token by CAS
//   (`redeemed_at IS NULL AND expires_at > now()`), insert factor + device, audit, one transaction.
// - verify.pushBegin(user, attemptId, context): ONE transaction: user row FOR UPDATE (serialises
//   every gateway, as lockout does: inv. 4); recorded attempt id → that transaction; expire the
//   user's stale pending rows by CAS; decidePushBegin on suspended_until, the pending row and
//   created_at within the window; generatePushNumber; INSERT; audit push.begun. AFTER commit, Web Push.
//   Refusals map to RATE_LIMITED (429, Retry-After = retryAfterMs) — new error codes only if the
//   API must tell push_pending / push_suspended apart.
// - verify.pushStatus(transactionId | attemptId): long-poll ≤ 25 s on any gateway (re-read every
//   ~250 ms, or LISTEN), answers effectivePushStatus; status reads come after the replication barrier.
// - push.devicePending(deviceId, deviceTime, signature over pushListRequestSignedBytes): the user's
//   pending transactions with context, never the number; one generic refusal for every failure.
// - push.deviceAnswer(answer, signature): load the active device and the transaction; rebuild the
//   payload with pushAnswerSignedBytes from the STORED transaction id and the gateway's own
//   pushSignatureAudience(push origin, application id); verifyDeviceSignature; decidePushAnswer;
//   then `UPDATE … SET status, reason, decided_at, device_id WHERE id = $1 AND status = 'pending'
//   AND (expires_at > now()) = ($to <> 'expired')` (isPushTransitionAllowed, by the DATABASE clock)
//   + audit push.approved | push.denied | push.expired | push.fraud_reported (webhook) in the same
//   statement/transaction (inv. 7); fraud also sets push_suspended_until = pushSuspendedUntilAfterFraud.
//   0 rows → the recorded outcome if this device re-sent the same answer (lost response), else not_pending.
//
// WEB PUSH (packages/api, `web-push` npm library; never in core, it is I/O)
// - VAPID key pair per deployment (ES256; private key envelope-encrypted like signing_keys; subject
//   = the public URL). A subscription is bound to the VAPID key it was made with: rotation = re-subscribe.
// - Sent after commit to every device of the user with a subscription: TTL = seconds left until
//   expires_at, urgency 'high', topic = the transaction id as 32 hex chars (≤ 32 base64url chars;
//   an undelivered push for it is replaced, not stacked). Payload: transaction id, application name,
//   expiry — never the number. Every push shows a notification (iOS revokes silent pushers).
// - 404/410 → null the subscription + audit push_device.subscription_gone; 429 → honour Retry-After
//   only while the transaction lives. Delivery failure never fails pushBegin: devicePending covers it.
//
// INVARIANTS: an answer counts once (the CAS; inv. 5); 0 expired approvals (expiry guard in the CAS,
// database clock); a wrong number denies; a signature counts only for its transaction, application
// and deployment; fatigue limits hold across gateways (user row lock + partial unique index);
// subscription keys encrypted (inv. 6); every transition audited in its transaction (inv. 7); an
// approval is acknowledged to the device only after a replicated commit (inv. 2).

export { defaultPushNumberDigits, generatePushNumber, isNumberMatch, maxPushNumberDigits, minPushNumberDigits, normalizeTypedPushNumber } from './push-number';
export type { PushAnswer, PushAnswerDecision, PushAnswerReason, PushDecision, PushTransactionState, PushTransactionStatus } from './push-transaction';
export {
  decidePushAnswer,
  defaultPushClockSkewMs,
  defaultPushTransactionTtlMs,
  effectivePushStatus,
  isPushTransitionAllowed,
  maxPushTransactionTtlMs,
  minPushTransactionTtlMs,
  pushDecisions,
  pushTransactionExpiresAt,
  pushTransactionStatuses,
  pushTransitionFromStatus,
} from './push-transaction';
export type { DevicePublicJwk, DevicePublicJwkParse, DeviceSignatureCheck, PushAnswerPayload } from './push-signature';
export {
  createDeviceKeyPair,
  parseDevicePublicJwk,
  pushAnswerFormat,
  pushAnswerSignedBytes,
  pushListRequestFormat,
  pushListRequestSignedBytes,
  pushSignatureAudience,
  pushSubscriptionFormat,
  pushSubscriptionSignedBytes,
  signDevicePayload,
  verifyDeviceSignature,
} from './push-signature';
export type { PushBeginDecision, PushFatiguePolicy } from './push-fatigue';
export {
  decidePushBegin,
  defaultPushFatigueLimits,
  defaultPushFraudSuspensionMs,
  pushSuspendedUntilAfterFraud,
  validatePushFatigueLimits,
} from './push-fatigue';
