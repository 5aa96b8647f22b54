import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyWebhookSignature, WebhookVerificationError } from './webhooks';

const secret = 'whsec_dGVzdC1zZWNyZXQtdGhhdC1pcy1sb25nLWVub3VnaC0zMmI';
const id = '7d1f6a52-3f3e-4d43-9c1e-0f7b7f1f2a10';
const now = new Date('2026-11-28T10:00:00Z');
const timestamp = String(Math.floor(now.getTime() / 1000));
const body = JSON.stringify({
  id,
  type: 'factor.enrolled',
  occurredAt: '2026-11-28T09:59:59.000Z',
  applicationId: '0b0f7a4e-95a4-4bd4-8d11-7b1a5f0c3e21',
  data: { userId: 'alice', factorId: '5c7e1f52-9a51-4b77-8d7c-3c0e8f8a1b2c', factorKind: 'totp' },
});

/** The documented format, computed independently of the helper under test. */
function sign(options: { key?: string; at?: string; payload?: string } = {}): string {
  return `v1=${createHmac('sha256', options.key ?? secret)
    .update(`${id}.${options.at ?? timestamp}.${options.payload ?? body}`)
    .digest('hex')}`;
}

function headers(overrides: Record<string, string> = {}): Record<string, string> {
  return { 'holdfast-webhook-id': id, 'holdfast-webhook-timestamp': timestamp, 'holdfast-signature': sign(), ...overrides };
}

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.reason;
    throw error;
  }
  return 'accepted';
}

describe('[WEBHOOK_SIGNED] verifyWebhookSignature', () => {
  it('accepts a genuine request and returns its event (string or bytes, any header case, Fetch Headers)', () => {
    expect(verifyWebhookSignature({ secret, headers: headers(), body, now })).toMatchObject({ id, type: 'factor.enrolled', data: { userId: 'alice' } });
    expect(verifyWebhookSignature({ secret, headers: headers(), body: new TextEncoder().encode(body), now }).id).toBe(id);
    const mixedCase = { 'Holdfast-Webhook-Id': id, 'Holdfast-Webhook-Timestamp': timestamp, 'Holdfast-Signature': sign() };
    expect(verifyWebhookSignature({ secret, headers: mixedCase, body, now }).id).toBe(id);
    expect(verifyWebhookSignature({ secret, headers: new Headers(headers()), body, now }).id).toBe(id);
  });

  it('refuses a tampered body, another secret, another id or a re-signed timestamp', () => {
    expect(failure(() => verifyWebhookSignature({ secret, headers: headers(), body: body.replace('alice', 'mallory'), now }))).toBe('invalid_signature');
    expect(failure(() => verifyWebhookSignature({ secret: `${secret}x`, headers: headers(), body, now }))).toBe('invalid_signature');
    expect(failure(() => verifyWebhookSignature({ secret, headers: headers({ 'holdfast-webhook-id': 'another-id' }), body, now }))).toBe('invalid_signature');
    // A captured request with its timestamp moved forward: the signature covers the timestamp.
    const later = String(Number(timestamp) + 60);
    expect(failure(() => verifyWebhookSignature({ secret, headers: headers({ 'holdfast-webhook-timestamp': later }), body, now }))).toBe('invalid_signature');
  });

  it('refuses timestamps outside the tolerance (5 minutes by default), either way', () => {
    const at = (seconds: number): string => String(Number(timestamp) + seconds);
    for (const offset of [-301, 301]) {
      const signed = headers({ 'holdfast-webhook-timestamp': at(offset), 'holdfast-signature': sign({ at: at(offset) }) });
      expect(failure(() => verifyWebhookSignature({ secret, headers: signed, body, now }))).toBe('timestamp_out_of_tolerance');
    }
    const edge = headers({ 'holdfast-webhook-timestamp': at(-300), 'holdfast-signature': sign({ at: at(-300) }) });
    expect(failure(() => verifyWebhookSignature({ secret, headers: edge, body, now }))).toBe('accepted');
    expect(failure(() => verifyWebhookSignature({ secret, headers: edge, body, now, toleranceSeconds: 60 }))).toBe('timestamp_out_of_tolerance');
  });

  it('accepts when one of several signatures matches (secret rotation), refuses malformed ones', () => {
    const several = headers({ 'holdfast-signature': `v1=${'0'.repeat(64)} ${sign()}` });
    expect(failure(() => verifyWebhookSignature({ secret, headers: several, body, now }))).toBe('accepted');
    for (const signature of ['', 'v1=', `v0=${sign().slice(3)}`, `${sign()}00`, sign().toUpperCase().replace('V1=', 'v2=')]) {
      expect(failure(() => verifyWebhookSignature({ secret, headers: headers({ 'holdfast-signature': signature }), body, now }))).toBe('invalid_signature');
    }
  });

  it('refuses missing headers and malformed timestamps', () => {
    for (const name of ['holdfast-webhook-id', 'holdfast-webhook-timestamp', 'holdfast-signature']) {
      const partial = Object.fromEntries(Object.entries(headers()).filter(([key]) => key !== name));
      expect(failure(() => verifyWebhookSignature({ secret, headers: partial, body, now }))).toBe('missing_header');
    }
    expect(failure(() => verifyWebhookSignature({ secret, headers: headers({ 'holdfast-webhook-timestamp': '1e9' }), body, now }))).toBe('invalid_timestamp');
  });

  it('refuses a signed body whose id is not the header id', () => {
    const other = body.replace(id, '00000000-0000-4000-8000-000000000000');
    expect(failure(() => verifyWebhookSignature({ secret, headers: headers({ 'holdfast-signature': sign({ payload: other }) }), body: other, now }))).toBe(
      'invalid_body',
    );
  });
});
