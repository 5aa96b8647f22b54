// The device's signing key (browser only). ECDSA P-256 made by WebCrypto with extractable = false:
// the private key can sign but can never be read out — not by this code, not by injected script —
// and is stored in IndexedDB as the CryptoKey object itself (structured clone keeps it opaque).
import type { PushDecisionWord } from './signed-bytes';
import { answerSignedBytes, listRequestSignedBytes, subscriptionSignedBytes } from './signed-bytes';

export interface DeviceKeyPair {
  privateKey: CryptoKey;
  /** What the gateway stores: x and y only — never `d`. */
  publicKeyJwk: JsonWebKey;
}

export async function generateDeviceKeyPair(): Promise<DeviceKeyPair> {
  // The private key of a generated pair honours `extractable`; the public key is always exportable.
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const publicKeyJwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  return { privateKey: pair.privateKey, publicKeyJwk };
}

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** WebCrypto's ECDSA signature is IEEE P1363 `r || s`: 64 bytes for P-256, as the gateway expects. */
async function signBytes(privateKey: CryptoKey, bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, bytes);
  return toBase64Url(new Uint8Array(signature));
}

interface Signer {
  deviceId: string;
  audience: string;
  privateKey: CryptoKey;
}

/** A signed "list my pending requests", stamped now. */
export async function signListRequest(device: Signer): Promise<{ deviceId: string; deviceTime: number; signature: string }> {
  const deviceTime = Date.now();
  const bytes = listRequestSignedBytes({ deviceId: device.deviceId, deviceTimeMs: deviceTime, audience: device.audience });
  return { deviceId: device.deviceId, deviceTime, signature: await signBytes(device.privateKey, bytes) };
}

/** A signed answer to one transaction, stamped now. `typedNumber` is '' for deny and fraud. */
export async function signAnswer(
  device: Signer,
  answer: { transactionId: string; typedNumber: string; decision: PushDecisionWord },
): Promise<{ deviceId: string; transactionId: string; typedNumber: string; decision: PushDecisionWord; deviceTime: number; signature: string }> {
  const deviceTime = Date.now();
  const typedNumber = answer.decision === 'approve' ? answer.typedNumber : '';
  const bytes = answerSignedBytes({
    transactionId: answer.transactionId,
    typedNumber,
    decision: answer.decision,
    deviceTimeMs: deviceTime,
    audience: device.audience,
  });
  return {
    deviceId: device.deviceId,
    transactionId: answer.transactionId,
    typedNumber,
    decision: answer.decision,
    deviceTime,
    signature: await signBytes(device.privateKey, bytes),
  };
}

export interface SubscriptionJson {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** A signed "send my pushes to this subscription now" (subscriptions churn: re-sent on every open). */
export async function signSubscriptionUpdate(
  device: Signer,
  subscription: SubscriptionJson,
): Promise<{ deviceId: string; subscription: SubscriptionJson; deviceTime: number; signature: string }> {
  const deviceTime = Date.now();
  const bytes = subscriptionSignedBytes({ deviceId: device.deviceId, subscription, deviceTimeMs: deviceTime, audience: device.audience });
  return { deviceId: device.deviceId, subscription, deviceTime, signature: await signBytes(device.privateKey, bytes) };
}
