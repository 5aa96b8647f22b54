import { createDeviceKeyPair, pushAnswerSignedBytes, pushSignatureAudience, verifyDeviceSignature } from '@holdfast/core';
import { describe, expect, it } from 'vitest';
import { signDeviceAnswer } from './push-device';

describe("the drill's simulated phone", () => {
  it('signs an answer the gateway would verify, for that transaction only', () => {
    const { privateKey, publicJwk } = createDeviceKeyPair();
    const deviceTime = new Date('2026-11-29T03:00:00.000Z');
    const applicationId = '0b6f8a52-1f7e-4f0a-9d0e-6a1f3c1e2d4b';
    const body = signDeviceAnswer({
      privateKey,
      deviceId: 'device-1',
      transactionId: 'tx-1',
      typedNumber: '42',
      decision: 'approve',
      pushOrigin: 'http://localhost:3002',
      applicationId,
      deviceTime,
    });
    expect(body).toMatchObject({ deviceId: 'device-1', transactionId: 'tx-1', typedNumber: '42', decision: 'approve', deviceTime: deviceTime.getTime() });
    const audience = pushSignatureAudience({ origin: 'http://localhost:3002', applicationId });
    const signature = new Uint8Array(Buffer.from(body.signature, 'base64url'));
    expect(signature).toHaveLength(64);
    const payloadFor = (transactionId: string): Uint8Array =>
      pushAnswerSignedBytes({ transactionId, typedNumber: '42', decision: 'approve', deviceTime, audience });
    expect(verifyDeviceSignature({ publicKeyJwk: publicJwk, signature, payload: payloadFor('tx-1') })).toEqual({ isValid: true });
    expect(verifyDeviceSignature({ publicKeyJwk: publicJwk, signature, payload: payloadFor('tx-2') }).isValid).toBe(false);
  });
});
