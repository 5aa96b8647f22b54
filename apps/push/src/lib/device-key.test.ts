// A device made by this module is one the gateway accepts: core parses its public JWK (no private
// member), and verifies its signatures over the bytes the gateway rebuilds. Node's WebCrypto is the
// same API the browser gives the PWA.
import { parseDevicePublicJwk, pushAnswerSignedBytes, pushListRequestSignedBytes, verifyDeviceSignature } from '@holdfast/core';
import { describe, expect, it } from 'vitest';
import { generateDeviceKeyPair, signAnswer, signListRequest } from './device-key';

const audience = 'http://localhost:3002/applications/app-1';
const fromBase64Url = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64url'));

describe('device key', () => {
  it('keeps the private key non-extractable and exports only the public half', async () => {
    const { privateKey, publicKeyJwk } = await generateDeviceKeyPair();
    expect(privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('jwk', privateKey)).rejects.toThrow();
    expect(parseDevicePublicJwk(publicKeyJwk)).toMatchObject({ isValid: true });
  });

  it('signs answers and list requests that core verifies, and only for what was signed', async () => {
    const { privateKey, publicKeyJwk } = await generateDeviceKeyPair();
    const device = { deviceId: 'device-1', audience, privateKey };

    const answer = await signAnswer(device, { transactionId: 'tx-1', typedNumber: '57', decision: 'approve' });
    expect(fromBase64Url(answer.signature)).toHaveLength(64); // IEEE P1363 r || s, not DER
    const answerBytes = pushAnswerSignedBytes({
      transactionId: 'tx-1',
      typedNumber: '57',
      decision: 'approve',
      deviceTime: new Date(answer.deviceTime),
      audience,
    });
    expect(verifyDeviceSignature({ publicKeyJwk, signature: fromBase64Url(answer.signature), payload: answerBytes })).toEqual({ isValid: true });
    const otherTransaction = pushAnswerSignedBytes({
      transactionId: 'tx-2',
      typedNumber: '57',
      decision: 'approve',
      deviceTime: new Date(answer.deviceTime),
      audience,
    });
    expect(verifyDeviceSignature({ publicKeyJwk, signature: fromBase64Url(answer.signature), payload: otherTransaction })).toMatchObject({ isValid: false });

    const list = await signListRequest(device);
    const listBytes = pushListRequestSignedBytes({ deviceId: 'device-1', deviceTime: new Date(list.deviceTime), audience });
    expect(verifyDeviceSignature({ publicKeyJwk, signature: fromBase64Url(list.signature), payload: listBytes })).toEqual({ isValid: true });
  });

  it('signs no number for deny and fraud', async () => {
    const { privateKey } = await generateDeviceKeyPair();
    const denied = await signAnswer({ deviceId: 'd', audience, privateKey }, { transactionId: 'tx', typedNumber: '123', decision: 'deny' });
    expect(denied.typedNumber).toBe('');
  });
});
