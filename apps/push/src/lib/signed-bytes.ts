// What this device signs — the ONE place the PWA spells the canonical payloads. They must equal
// core's builders byte for byte (packages/core/src/push/push-signature.ts; signed-bytes.test.ts
// compares them): the gateway rebuilds the same bytes from what IT holds and checks the signature.
// A JSON array of strings and integers, its first element naming format and purpose, so an
// answer can never pass as a list request (or as a later format) and fields cannot run together.

export type PushDecisionWord = 'approve' | 'deny' | 'fraud';

function encode(fields: readonly (string | number)[]): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(JSON.stringify(fields));
}

function integerMs(deviceTimeMs: number): number {
  // One spelling per instant: integer milliseconds since the epoch, never an ISO string.
  if (!Number.isSafeInteger(deviceTimeMs) || deviceTimeMs < 0) throw new RangeError('deviceTimeMs must be a non-negative integer');
  return deviceTimeMs;
}

/** `["holdfast-push-v1", transactionId, typedNumber, decision, deviceTimeMs, audience]` — typedNumber '' for deny and fraud. */
export function answerSignedBytes(input: {
  transactionId: string;
  typedNumber: string;
  decision: PushDecisionWord;
  deviceTimeMs: number;
  audience: string;
}): Uint8Array<ArrayBuffer> {
  return encode(['holdfast-push-v1', input.transactionId, input.typedNumber, input.decision, integerMs(input.deviceTimeMs), input.audience]);
}

/** `["holdfast-push-list-v1", deviceId, deviceTimeMs, audience]`: "show me my pending requests". */
export function listRequestSignedBytes(input: { deviceId: string; deviceTimeMs: number; audience: string }): Uint8Array<ArrayBuffer> {
  return encode(['holdfast-push-list-v1', input.deviceId, integerMs(input.deviceTimeMs), input.audience]);
}

/** `["holdfast-push-subscription-v1", deviceId, endpoint, p256dh, auth, deviceTimeMs, audience]`: "send my pushes here now". */
export function subscriptionSignedBytes(input: {
  deviceId: string;
  subscription: { endpoint: string; keys: { p256dh: string; auth: string } };
  deviceTimeMs: number;
  audience: string;
}): Uint8Array<ArrayBuffer> {
  const { endpoint, keys } = input.subscription;
  return encode(['holdfast-push-subscription-v1', input.deviceId, endpoint, keys.p256dh, keys.auth, integerMs(input.deviceTimeMs), input.audience]);
}
