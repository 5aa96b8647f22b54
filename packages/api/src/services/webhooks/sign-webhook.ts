import { createHmac } from 'node:crypto';

/**
 * The signature a receiver checks (the SDK's `verifyWebhookSignature`): `v1=` + hex
 * HMAC-SHA256, keyed with the whole secret string (`whsec_…`) as UTF-8, over
 * `<webhook id>.<unix seconds>.<raw body>` — the shape of Standard Webhooks and Stripe. Signing
 * the id and the timestamp too means a captured request cannot be replayed under a new id or, past
 * the receiver's tolerance, at a later time.
 */
export function signWebhook(options: { secret: string; id: string; timestamp: number; body: string }): string {
  const mac = createHmac('sha256', options.secret)
    .update(`${options.id}.${String(options.timestamp)}.${options.body}`, 'utf8')
    .digest('hex');
  return `v1=${mac}`;
}
