import type { webcrypto } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import {
  parseDevicePublicJwk,
  pushAnswerSignedBytes,
  pushListRequestSignedBytes,
  pushSignatureAudience,
  pushSubscriptionSignedBytes,
  verifyDeviceSignature,
  type PushAnswerPayload,
} from './push-signature';

type CryptoKey = webcrypto.CryptoKey;
type JsonWebKey = webcrypto.JsonWebKey;

const subtle = globalThis.crypto.subtle;
const ecdsa = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** A device as the PWA makes it: the private key never leaves WebCrypto, the public JWK is sent at pairing. */
async function pairDevice(namedCurve: 'P-256' | 'P-384' = 'P-256'): Promise<{ privateKey: CryptoKey; publicJwk: JsonWebKey }> {
  const pair = await subtle.generateKey({ name: 'ECDSA', namedCurve }, false, ['sign', 'verify']);
  expect(pair.privateKey.extractable).toBe(false);
  return { privateKey: pair.privateKey, publicJwk: await subtle.exportKey('jwk', pair.publicKey) };
}

async function sign(privateKey: CryptoKey, bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle.sign(ecdsa, privateKey, bytes));
}

/** The same signature in DER (what node's and OpenSSL's default encoding would give). */
function p1363ToDer(signature: Uint8Array): Uint8Array {
  const integer = (bytes: Uint8Array): number[] => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
    const trimmed = [...bytes.subarray(start)];
    const body = (trimmed[0] ?? 0) >= 0x80 ? [0, ...trimmed] : trimmed;
    return [0x02, body.length, ...body];
  };
  const content = [...integer(signature.subarray(0, 32)), ...integer(signature.subarray(32))];
  return new Uint8Array([0x30, content.length, ...content]);
}

/** (r, n − s): the other valid signature ECDSA allows for the same message. */
function malleate(signature: Uint8Array): Uint8Array {
  const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
  const s = BigInt(`0x${Buffer.from(signature.subarray(32)).toString('hex')}`);
  const flipped = Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex');
  return new Uint8Array([...signature.subarray(0, 32), ...flipped]);
}

const audience = pushSignatureAudience({ origin: 'https://push.example.com', applicationId: 'app-1' });
const answer: PushAnswerPayload = {
  transactionId: '0195f0a4-7a5e-7c3b-9d2e-1f2a3b4c5d6e',
  typedNumber: '47',
  decision: 'approve',
  deviceTime: new Date('2026-03-01T12:00:00.123Z'),
  audience,
};

describe('a browser-made device signature', () => {
  it('verifies over the canonical answer bytes (WebCrypto ECDSA P-256, IEEE P1363 r || s)', async () => {
    const device = await pairDevice();
    const signature = await sign(device.privateKey, pushAnswerSignedBytes(answer));
    expect(signature.length).toBe(64);
    expect(verifyDeviceSignature({ publicKeyJwk: device.publicJwk, signature, payload: pushAnswerSignedBytes(answer) })).toEqual({ isValid: true });
  });

  it('is refused when any signed field changed', async () => {
    const device = await pairDevice();
    const signature = await sign(device.privateKey, pushAnswerSignedBytes(answer));
    const changes: Partial<PushAnswerPayload>[] = [
      { typedNumber: '48' },
      { typedNumber: ' 47' },
      { decision: 'deny' },
      { decision: 'fraud' },
      { deviceTime: new Date(answer.deviceTime.getTime() + 1) },
    ];
    for (const change of changes) {
      const payload = pushAnswerSignedBytes({ ...answer, ...change });
      expect(verifyDeviceSignature({ publicKeyJwk: device.publicJwk, signature, payload })).toMatchObject({ isValid: false, reason: 'signature_mismatch' });
    }
  });

  it('is refused under another device’s key', async () => {
    const device = await pairDevice();
    const other = await pairDevice();
    const signature = await sign(device.privateKey, pushAnswerSignedBytes(answer));
    expect(verifyDeviceSignature({ publicKeyJwk: other.publicJwk, signature, payload: pushAnswerSignedBytes(answer) })).toMatchObject({
      isValid: false,
      reason: 'signature_mismatch',
    });
  });

  it('is refused DER-encoded (only the browser’s P1363 form is accepted), and at any other length', async () => {
    const device = await pairDevice();
    const payload = pushAnswerSignedBytes(answer);
    const signature = await sign(device.privateKey, payload);
    const der = p1363ToDer(signature);
    expect(der[0]).toBe(0x30);
    expect(verifyDeviceSignature({ publicKeyJwk: device.publicJwk, signature: der, payload })).toMatchObject({ isValid: false, reason: 'signature_malformed' });
    for (const bad of [new Uint8Array(0), signature.subarray(0, 63), new Uint8Array([...signature, 0])]) {
      expect(verifyDeviceSignature({ publicKeyJwk: device.publicJwk, signature: bad, payload })).toMatchObject({
        isValid: false,
        reason: 'signature_malformed',
      });
    }
    expect(verifyDeviceSignature({ publicKeyJwk: device.publicJwk, signature: new Uint8Array(64), payload })).toMatchObject({ isValid: false });
  });

  it('has a second valid form (r, n − s): single use must come from the store, never from a signature hash', async () => {
    const device = await pairDevice();
    const payload = pushAnswerSignedBytes(answer);
    const signature = await sign(device.privateKey, payload);
    const twin = malleate(signature);
    expect(Buffer.from(twin).equals(Buffer.from(signature))).toBe(false);
    expect(verifyDeviceSignature({ publicKeyJwk: device.publicJwk, signature: twin, payload })).toEqual({ isValid: true });
  });
});

describe('[PUSH_SIGNATURE_REPLAY] a captured signature proves nothing elsewhere', () => {
  it('is refused for another transaction', async () => {
    const device = await pairDevice();
    const signature = await sign(device.privateKey, pushAnswerSignedBytes(answer));
    const payload = pushAnswerSignedBytes({ ...answer, transactionId: '0195f0a4-7a5e-7c3b-9d2e-1f2a3b4c5d6f' });
    expect(verifyDeviceSignature({ publicKeyJwk: device.publicJwk, signature, payload })).toMatchObject({ isValid: false, reason: 'signature_mismatch' });
  });

  it('is refused for another application or another deployment (audience)', async () => {
    const device = await pairDevice();
    const signature = await sign(device.privateKey, pushAnswerSignedBytes(answer));
    for (const otherAudience of [
      pushSignatureAudience({ origin: 'https://push.example.com', applicationId: 'app-2' }),
      pushSignatureAudience({ origin: 'https://push.evil.example', applicationId: 'app-1' }),
    ]) {
      const payload = pushAnswerSignedBytes({ ...answer, audience: otherAudience });
      expect(verifyDeviceSignature({ publicKeyJwk: device.publicJwk, signature, payload })).toMatchObject({ isValid: false, reason: 'signature_mismatch' });
    }
  });

  it('does not cross purposes: a pending-list request signature is no answer, and an answer is no list request', async () => {
    const device = await pairDevice();
    const listBytes = pushListRequestSignedBytes({ deviceId: 'device-a', deviceTime: answer.deviceTime, audience });
    const listSignature = await sign(device.privateKey, listBytes);
    expect(verifyDeviceSignature({ publicKeyJwk: device.publicJwk, signature: listSignature, payload: listBytes })).toEqual({ isValid: true });
    expect(verifyDeviceSignature({ publicKeyJwk: device.publicJwk, signature: listSignature, payload: pushAnswerSignedBytes(answer) })).toMatchObject({
      isValid: false,
    });
    const answerSignature = await sign(device.privateKey, pushAnswerSignedBytes(answer));
    expect(verifyDeviceSignature({ publicKeyJwk: device.publicJwk, signature: answerSignature, payload: listBytes })).toMatchObject({ isValid: false });
  });
});

describe('the device public key is checked strictly', () => {
  it('accepts exactly what WebCrypto exports for a P-256 public key, and keeps only kty/crv/x/y', async () => {
    const device = await pairDevice();
    const parsed = parseDevicePublicJwk(device.publicJwk);
    expect(parsed.isValid).toBe(true);
    if (parsed.isValid) expect(Object.keys(parsed.jwk).sort()).toEqual(['crv', 'kty', 'x', 'y']);
  });

  it('refuses a key on another curve (P-384)', async () => {
    const device = await pairDevice('P-384');
    const signature = await sign(device.privateKey, pushAnswerSignedBytes(answer));
    expect(verifyDeviceSignature({ publicKeyJwk: device.publicJwk, signature, payload: pushAnswerSignedBytes(answer) })).toMatchObject({
      isValid: false,
      reason: 'key_invalid',
    });
    // Coordinates of another size under a P-256 label are refused too.
    expect(parseDevicePublicJwk({ ...device.publicJwk, crv: 'P-256' })).toMatchObject({ isValid: false });
  });

  it('refuses a JWK that carries the private key (d)', async () => {
    const pair = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const privateJwk = await subtle.exportKey('jwk', pair.privateKey);
    expect(typeof privateJwk.d).toBe('string');
    const signature = await sign(pair.privateKey, pushAnswerSignedBytes(answer));
    expect(verifyDeviceSignature({ publicKeyJwk: privateJwk, signature, payload: pushAnswerSignedBytes(answer) })).toMatchObject({
      isValid: false,
      reason: 'key_invalid',
      problem: 'a private key (d) was sent',
    });
    // Even stripped to the members a public key may have, `d` alone is enough to refuse it.
    expect(parseDevicePublicJwk({ kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x, y: privateJwk.y, d: privateJwk.d })).toMatchObject({
      isValid: false,
      problem: 'a private key (d) was sent',
    });
  });

  it('refuses malformed or surprising JWKs', async () => {
    const { publicJwk } = await pairDevice();
    const x = publicJwk.x ?? '';
    const bad: unknown[] = [
      null,
      'a string',
      [publicJwk],
      { ...publicJwk, kty: 'RSA' },
      { ...publicJwk, kty: undefined },
      { ...publicJwk, crv: 'secp256k1' },
      { ...publicJwk, x: x.slice(1) },
      { ...publicJwk, x: `${x}=` },
      { ...publicJwk, x: `${x.slice(0, 42)}B` }, // non-canonical: the last character's low bits are not zero
      { ...publicJwk, x: x.replace(/./u, '+') },
      { ...publicJwk, y: 123 },
      { ...publicJwk, key_ops: ['sign'] },
      { ...publicJwk, key_ops: ['verify', 'sign'] },
      { ...publicJwk, alg: 'ES384' },
      { ...publicJwk, use: 'enc' },
      { ...publicJwk, ext: 'yes' },
      { ...publicJwk, x5u: 'https://evil.example/key' },
      { ...publicJwk, p: 'AAAA' },
    ];
    for (const jwk of bad) {
      expect(parseDevicePublicJwk(jwk)).toMatchObject({ isValid: false });
    }
    expect(parseDevicePublicJwk({ kty: 'EC', crv: 'P-256', x: publicJwk.x, y: publicJwk.y, alg: 'ES256', use: 'sig', kid: 'phone' })).toMatchObject({
      isValid: true,
    });
  });

  it('refuses well-formed coordinates that are not a point on P-256', async () => {
    const device = await pairDevice();
    const signature = await sign(device.privateKey, pushAnswerSignedBytes(answer));
    const offCurve = { kty: 'EC', crv: 'P-256', x: Buffer.alloc(32, 1).toString('base64url'), y: Buffer.alloc(32, 2).toString('base64url') };
    expect(verifyDeviceSignature({ publicKeyJwk: offCurve, signature, payload: pushAnswerSignedBytes(answer) })).toMatchObject({
      isValid: false,
      reason: 'key_invalid',
    });
  });
});

describe('the canonical bytes', () => {
  it('are the versioned JSON array, with the device time as integer milliseconds', () => {
    expect(new TextDecoder().decode(pushAnswerSignedBytes(answer))).toBe(
      `["holdfast-push-v1","${answer.transactionId}","47","approve",${answer.deviceTime.getTime()},"https://push.example.com/applications/app-1"]`,
    );
    expect(new TextDecoder().decode(pushListRequestSignedBytes({ deviceId: 'd', deviceTime: new Date(5), audience: 'a' }))).toBe(
      '["holdfast-push-list-v1","d",5,"a"]',
    );
  });

  it('cannot be made equal by moving text between fields', () => {
    const a = pushAnswerSignedBytes({ ...answer, transactionId: 'tx","47', typedNumber: '' });
    const b = pushAnswerSignedBytes({ ...answer, transactionId: 'tx', typedNumber: '47' });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it('refuse fields no honest device sends', () => {
    expect(() => pushAnswerSignedBytes({ ...answer, transactionId: '' })).toThrow(/transactionId/u);
    expect(() => pushAnswerSignedBytes({ ...answer, typedNumber: '4'.repeat(513) })).toThrow(/typedNumber/u);
    expect(() => pushAnswerSignedBytes({ ...answer, audience: '\ud800' })).toThrow(/well-formed/u);
    expect(() => pushAnswerSignedBytes({ ...answer, deviceTime: new Date(Number.NaN) })).toThrow(/valid date/u);
    expect(pushAnswerSignedBytes({ ...answer, typedNumber: '' }).length).toBeGreaterThan(0);
  });

  it('builds one audience per origin and application, whatever the spelling of the origin', () => {
    expect(pushSignatureAudience({ origin: 'https://Push.Example.com:443/some/path', applicationId: 'app-1' })).toBe(audience);
    expect(pushSignatureAudience({ origin: 'https://push.example.com', applicationId: 'a/b' })).toBe('https://push.example.com/applications/a%2Fb');
    expect(() => pushSignatureAudience({ origin: 'push.example.com', applicationId: 'app-1' })).toThrow(/absolute origin/u);
    expect(() => pushSignatureAudience({ origin: 'https://push.example.com', applicationId: '' })).toThrow(/application id/u);
  });
});

describe('a signed subscription update', () => {
  const subscription = {
    endpoint: 'https://fcm.googleapis.com/fcm/send/abc:def',
    p256dh: 'B'.repeat(87),
    auth: 'a'.repeat(22),
  };
  const update = { deviceId: '0195f0a4-7a5e-7c3b-9d2e-1f2a3b4c5d6e', subscription, deviceTime: new Date('2026-03-01T12:00:00.123Z'), audience };

  it('is the versioned JSON array the PWA mirrors, field by field', () => {
    expect(new TextDecoder().decode(pushSubscriptionSignedBytes(update))).toBe(
      JSON.stringify([
        'holdfast-push-subscription-v1',
        update.deviceId,
        subscription.endpoint,
        subscription.p256dh,
        subscription.auth,
        1772366400123,
        audience,
      ]),
    );
  });

  it('verifies, and is refused for another endpoint, other keys, another device or as an answer or list request', async () => {
    const device = await pairDevice();
    const signature = await sign(device.privateKey, pushSubscriptionSignedBytes(update));
    expect(verifyDeviceSignature({ publicKeyJwk: device.publicJwk, signature, payload: pushSubscriptionSignedBytes(update) })).toEqual({ isValid: true });
    const others = [
      pushSubscriptionSignedBytes({ ...update, subscription: { ...subscription, endpoint: 'https://attacker.example/collect' } }),
      pushSubscriptionSignedBytes({ ...update, subscription: { ...subscription, auth: 'b'.repeat(22) } }),
      pushSubscriptionSignedBytes({ ...update, deviceId: '0195f0a4-7a5e-7c3b-9d2e-1f2a3b4c5d6f' }),
      pushListRequestSignedBytes({ deviceId: update.deviceId, deviceTime: update.deviceTime, audience }),
    ];
    for (const payload of others) {
      expect(verifyDeviceSignature({ publicKeyJwk: device.publicJwk, signature, payload })).toMatchObject({ isValid: false, reason: 'signature_mismatch' });
    }
  });

  it('takes endpoints up to 1024 characters and refuses longer or empty fields', () => {
    const long = `https://fcm.googleapis.com/${'x'.repeat(1024 - 27)}`;
    expect(long.length).toBe(1024);
    expect(() => pushSubscriptionSignedBytes({ ...update, subscription: { ...subscription, endpoint: long } })).not.toThrow();
    expect(() => pushSubscriptionSignedBytes({ ...update, subscription: { ...subscription, endpoint: `${long}x` } })).toThrow(/endpoint/u);
    expect(() => pushSubscriptionSignedBytes({ ...update, subscription: { ...subscription, p256dh: '' } })).toThrow(/p256dh/u);
    expect(() => pushSubscriptionSignedBytes({ ...update, deviceTime: new Date(Number.NaN) })).toThrow(/time/u);
  });
});
