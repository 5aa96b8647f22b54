import { auditEventTypes, HoldfastError } from '@holdfast/core';
import { webhookEventByAuditType } from '@holdfast/db';
import { webhookEventTypes } from '@holdfast/validators';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { webhookRetryDelayMs } from './retry-delay';
import { signWebhook } from './sign-webhook';
import { generateWebhookSecret } from './webhook-secret';
import { parseWebhookUrl } from './webhook-url';

describe('[WEBHOOK_SIGNED] webhook policy', () => {
  it('maps audit types to the published webhook event names, covering every event name', () => {
    const names = Object.entries(webhookEventByAuditType).map(([auditType, name]) => {
      expect(auditEventTypes).toContain(auditType);
      return name;
    });
    expect(new Set(names)).toEqual(new Set(webhookEventTypes));
    expect(webhookEventByAuditType['factor.revoked']).toBe('factor.removed');
    expect(webhookEventByAuditType['verify.accepted']).toBeUndefined();
  });

  it('accepts https anywhere and http only on loopback, never credentials or fragments', () => {
    expect(parseWebhookUrl('https://app.example/hooks/holdfast')).toBe('https://app.example/hooks/holdfast');
    for (const url of ['http://localhost:8080/h', 'http://127.0.0.1:9/h', 'http://[::1]/h']) expect(parseWebhookUrl(url)).toBe(url);
    for (const url of [
      'http://app.example/h',
      'http://10.0.0.1/h',
      'ftp://app.example/h',
      'https://user:pw@app.example/h',
      'https://app.example/h#x',
      'app.example/h',
      'http://localhost.evil.example/h',
    ]) {
      expect(() => parseWebhookUrl(url)).toThrow(HoldfastError);
    }
  });

  it('signs id.timestamp.body with HMAC-SHA256 under the whole secret string', () => {
    const secret = generateWebhookSecret((size) => new Uint8Array(size).fill(7));
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const expected = createHmac('sha256', secret).update('id-1.1700000000.{"a":1}').digest('hex');
    expect(signWebhook({ secret, id: 'id-1', timestamp: 1_700_000_000, body: '{"a":1}' })).toBe(`v1=${expected}`);
  });

  it('backs off 10 s, 30 s, 2 min, 10 min, 1 h… with ±20 % jitter', () => {
    const at = (fill: number) => (failedAttempt: number) =>
      webhookRetryDelayMs({ failedAttempt, baseMs: 10_000, random: (size) => new Uint8Array(size).fill(fill) });
    const low = at(0);
    const high = at(255);
    const middle = (failedAttempt: number): number => (low(failedAttempt) + high(failedAttempt)) / 2;
    expect([1, 2, 3, 4, 5].map(middle)).toEqual([10_000, 30_000, 120_000, 600_000, 3_600_000]);
    expect(low(1)).toBe(8_000);
    expect(high(1)).toBe(12_000);
    expect(high(99)).toBe(high(7));
  });
});
