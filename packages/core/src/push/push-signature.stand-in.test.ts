import { describe, expect, it } from 'vitest';

import {
  createDeviceKeyPair,
  parseDevicePublicJwk,
  pushAnswerSignedBytes,
  pushListRequestSignedBytes,
  signDevicePayload,
  verifyDeviceSignature,
} from './push-signature';

const audience = 'https://push.example.com/applications/app-1';
const answer = pushAnswerSignedBytes({
  transactionId: '0195f0a4-7a5e-7c3b-9d2e-1f2a3b4c5d6e',
  typedNumber: '42',
  decision: 'approve',
  deviceTime: new Date('2026-03-01T12:00:00.000Z'),
  audience,
});

describe('a device stand-in (tests, drills): createDeviceKeyPair + signDevicePayload', () => {
  it('makes a fresh P-256 pair whose public JWK is exactly what pairing stores', () => {
    const device = createDeviceKeyPair();
    expect(Object.keys(device.publicJwk).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    expect(parseDevicePublicJwk(device.publicJwk)).toEqual({ isValid: true, jwk: device.publicJwk });
    expect(device.privateKey.type).toBe('private');
    expect(device.privateKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(createDeviceKeyPair().publicJwk.x).not.toBe(device.publicJwk.x);
  });

  it('signs in IEEE P1363 (64 bytes) what verifyDeviceSignature accepts for that payload and key only', () => {
    const device = createDeviceKeyPair();
    const signature = signDevicePayload({ privateKey: device.privateKey, payload: answer });
    expect(signature).toBeInstanceOf(Uint8Array);
    expect(signature).toHaveLength(64);
    expect(verifyDeviceSignature({ publicKeyJwk: device.publicJwk, signature, payload: answer })).toEqual({ isValid: true });
    const listRequest = pushListRequestSignedBytes({ deviceId: 'd-1', deviceTime: new Date(0), audience });
    expect(verifyDeviceSignature({ publicKeyJwk: device.publicJwk, signature, payload: listRequest })).toMatchObject({
      isValid: false,
      reason: 'signature_mismatch',
    });
    expect(verifyDeviceSignature({ publicKeyJwk: createDeviceKeyPair().publicJwk, signature, payload: answer })).toMatchObject({
      isValid: false,
      reason: 'signature_mismatch',
    });
  });

  it('signs what a browser verifies with WebCrypto (the same bytes crypto.subtle.sign gives)', async () => {
    const device = createDeviceKeyPair();
    const signature = signDevicePayload({ privateKey: device.privateKey, payload: answer });
    const subtle = globalThis.crypto.subtle;
    const publicKey = await subtle.importKey('jwk', device.publicJwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    expect(await subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, publicKey, signature, answer)).toBe(true);
  });
});
