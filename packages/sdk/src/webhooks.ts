// Receiving Holdfast webhooks.
//
// Each factor change of one of your users (factor.enrolled, factor.removed,
// recovery_codes.generated, factor.locked, factor.suspended, account.locked) is POSTed as JSON to
// the endpoint you configured with `webhooks.configure`, with three headers:
//
//   Holdfast-Webhook-Id:        the event id (a UUID), the same on every retry of one event
//   Holdfast-Webhook-Timestamp: when this attempt was signed, in Unix seconds
//   Holdfast-Signature:         v1=<hex HMAC-SHA256(secret, "<id>.<timestamp>.<raw body>")>
//
// The HMAC key is the whole secret string (`whsec_…`) as UTF-8; the header may carry several
// space-separated `v1=` entries, and one matching is enough. Verify against the raw body bytes,
// before any JSON parsing. Answer 2xx within 5 seconds once the event is stored; anything else
// (including a redirect, which is not followed) is retried with growing delays (about 10 s, 30 s,
// 2 min, 10 min, 1 h, 3 h, 6 h; 8 attempts). Delivery is at least once and not in order: dedupe by
// the id, and read the current state from Holdfast (`preauth`) when order matters.
import type { WebhookEvent } from '@holdfast/validators';
import { createHmac, timingSafeEqual } from 'node:crypto';

export type { WebhookEvent, WebhookEventType } from '@holdfast/validators';

/** The header names, lower case (as Node's `IncomingMessage.headers` has them). */
export const webhookHeaderNames = {
  id: 'holdfast-webhook-id',
  timestamp: 'holdfast-webhook-timestamp',
  signature: 'holdfast-signature',
} as const;

export type WebhookVerificationFailure = 'missing_header' | 'invalid_timestamp' | 'timestamp_out_of_tolerance' | 'invalid_signature' | 'invalid_body';

/** Thrown when a request is not a genuine, fresh Holdfast webhook: answer it with 400 and ignore it. */
export class WebhookVerificationError extends Error {
  readonly reason: WebhookVerificationFailure;

  constructor(reason: WebhookVerificationFailure, message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
    this.reason = reason;
  }
}

/** A Fetch `Headers` or Node's `IncomingHttpHeaders` (any letter case). */
export type WebhookRequestHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

function readHeader(headers: WebhookRequestHeaders, name: string): string | null {
  if (headers instanceof Headers) return headers.get(name);
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    if (typeof value === 'string') return value;
    if (value !== undefined && value.length === 1) return value[0] ?? null;
    return null;
  }
  return null;
}

const encoder = new TextEncoder();
const defaultToleranceSeconds = 300;

/**
 * Checks a webhook request and returns its event. Throws `WebhookVerificationError` when a header
 * is missing, the timestamp is more than `toleranceSeconds` (default 300) from now — a captured
 * request replayed later — or no signature matches the secret (compared in constant time).
 *
 * @param options.secret the signing secret `webhooks.configure` returned (`whsec_…`).
 * @param options.headers the request's headers.
 * @param options.body the raw request body, exactly as received (a string or the bytes).
 * @param options.now the clock, for tests; default the current time.
 */
export function verifyWebhookSignature(options: {
  secret: string;
  headers: WebhookRequestHeaders;
  body: string | Uint8Array;
  toleranceSeconds?: number;
  now?: Date;
}): WebhookEvent {
  const id = readHeader(options.headers, webhookHeaderNames.id);
  const timestampText = readHeader(options.headers, webhookHeaderNames.timestamp);
  const signatures = readHeader(options.headers, webhookHeaderNames.signature);
  if (id === null || timestampText === null || signatures === null || id === '') {
    throw new WebhookVerificationError('missing_header', 'missing Holdfast webhook headers');
  }
  if (!/^\d{1,12}$/.test(timestampText)) throw new WebhookVerificationError('invalid_timestamp', 'malformed webhook timestamp');
  const timestamp = Number(timestampText);
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  // Either way: a timestamp far in the future is as suspicious as an old one.
  if (Math.abs(nowSeconds - timestamp) > (options.toleranceSeconds ?? defaultToleranceSeconds)) {
    throw new WebhookVerificationError('timestamp_out_of_tolerance', 'webhook timestamp outside the tolerance');
  }

  const body = typeof options.body === 'string' ? encoder.encode(options.body) : options.body;
  const expected = createHmac('sha256', options.secret).update(`${id}.${timestampText}.`, 'utf8').update(body).digest();
  const isMatch = signatures
    .split(/[\s,]+/)
    .filter((entry) => entry.startsWith('v1='))
    .map((entry) => entry.slice(3))
    .filter((hex) => /^[0-9a-f]{64}$/i.test(hex))
    // Constant time per candidate; the number of candidates is not secret.
    .some((hex) => timingSafeEqual(Buffer.from(hex, 'hex'), expected));
  if (!isMatch) throw new WebhookVerificationError('invalid_signature', 'webhook signature does not match');

  let event: unknown;
  try {
    event = JSON.parse(new TextDecoder().decode(body));
  } catch {
    throw new WebhookVerificationError('invalid_body', 'webhook body is not JSON');
  }
  if (typeof event !== 'object' || event === null || !('id' in event) || event.id !== id || !('type' in event) || typeof event.type !== 'string') {
    throw new WebhookVerificationError('invalid_body', 'webhook body does not match its id');
  }
  // Signed by Holdfast, so its shape is Holdfast's (validators `webhookEvent`); ignore unknown types.
  return event as WebhookEvent;
}
