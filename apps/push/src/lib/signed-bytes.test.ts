// The bytes this device signs must be the bytes the gateway rebuilds (core's builders), to the byte.
import { pushAnswerSignedBytes, pushListRequestSignedBytes, pushSubscriptionSignedBytes } from '@holdfast/core';
import { describe, expect, it } from 'vitest';
import { answerSignedBytes, listRequestSignedBytes, subscriptionSignedBytes } from './signed-bytes';

const audience = 'http://localhost:3002/applications/0193c0de-0000-7000-8000-000000000001';
const deviceTimeMs = 1_764_374_400_123;
const decoded = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('signed bytes match core byte for byte', () => {
  it.each([
    { decision: 'approve' as const, typedNumber: '042' },
    { decision: 'deny' as const, typedNumber: '' },
    { decision: 'fraud' as const, typedNumber: '' },
  ])('answer ($decision)', ({ decision, typedNumber }) => {
    const transactionId = '0193c0de-1111-7000-8000-00000000abcd';
    const mine = answerSignedBytes({ transactionId, typedNumber, decision, deviceTimeMs, audience });
    expect(mine).toEqual(pushAnswerSignedBytes({ transactionId, typedNumber, decision, deviceTime: new Date(deviceTimeMs), audience }));
    expect(decoded(mine)).toBe(`["holdfast-push-v1","${transactionId}","${typedNumber}","${decision}",${deviceTimeMs},"${audience}"]`);
  });

  it('answer with text JSON must escape (the typed number is signed exactly as typed)', () => {
    const input = {
      transactionId: 't"x\\',
      typedNumber: ' 4 2 ',
      decision: 'approve' as const,
      deviceTimeMs,
      audience: 'https://push.example.com/applications/a%2Fb',
    };
    expect(answerSignedBytes(input)).toEqual(pushAnswerSignedBytes({ ...input, deviceTime: new Date(deviceTimeMs) }));
  });

  it('pending-list request', () => {
    const deviceId = '0193c0de-2222-7000-8000-000000000042';
    const mine = listRequestSignedBytes({ deviceId, deviceTimeMs, audience });
    expect(mine).toEqual(pushListRequestSignedBytes({ deviceId, deviceTime: new Date(deviceTimeMs), audience }));
    expect(decoded(mine)).toBe(`["holdfast-push-list-v1","${deviceId}",${deviceTimeMs},"${audience}"]`);
  });

  it('subscription update', () => {
    const subscription = { endpoint: 'https://push.example.com/send/abc', keys: { p256dh: 'B'.repeat(87), auth: 'A'.repeat(22) } };
    const mine = subscriptionSignedBytes({ deviceId: 'dev-1', subscription, deviceTimeMs, audience });
    expect(mine).toEqual(
      pushSubscriptionSignedBytes({
        deviceId: 'dev-1',
        subscription: { endpoint: subscription.endpoint, ...subscription.keys },
        deviceTime: new Date(deviceTimeMs),
        audience,
      }),
    );
    expect(decoded(mine)).toBe(
      `["holdfast-push-subscription-v1","dev-1","https://push.example.com/send/abc","${'B'.repeat(87)}","${'A'.repeat(22)}",${deviceTimeMs},"${audience}"]`,
    );
  });

  it('refuses a time that is not integer milliseconds (one spelling per instant)', () => {
    expect(() => listRequestSignedBytes({ deviceId: 'd', deviceTimeMs: 1.5, audience })).toThrow(RangeError);
  });
});
