import { deadlineSignal } from '@holdfast/validators';
import { signWebhook } from './sign-webhook';

export interface WebhookAttemptResult {
  /** The receiver's HTTP status, or null when no answer came (refused, reset, timed out). */
  statusCode: number | null;
  /** Why it did not count as delivered; never a secret (no headers, no body, no URL). */
  error: string | null;
  durationMs: number;
  isDelivered: boolean;
}

/** Short, secret-free words for a failed request (undici puts the socket's error code in `cause`). */
function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return 'timeout';
    if (error.name === 'AbortError') return 'aborted';
    const cause: unknown = error.cause;
    if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string') return cause.code;
    return error.name;
  }
  return 'error';
}

/**
 * One POST of one delivery. Only a 2xx answer counts; a redirect is not followed (it would let a
 * receiver bounce signed requests to a host it was never configured for) and counts as a failure.
 * The answer's body is not read.
 */
export async function sendWebhook(options: {
  url: string;
  secret: string;
  id: string;
  body: string;
  timestamp: number;
  timeoutMs: number;
  signal: AbortSignal;
}): Promise<WebhookAttemptResult> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  // deadlineSignal: AbortSignal.any + AbortSignal.timeout stops firing once a GC has run (see there).
  const deadline = deadlineSignal(options.timeoutMs, options.signal);
  try {
    const response = await fetch(options.url, {
      method: 'POST',
      redirect: 'manual',
      signal: deadline.signal,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Holdfast-Webhooks/1',
        'holdfast-webhook-id': options.id,
        'holdfast-webhook-timestamp': String(options.timestamp),
        'holdfast-signature': signWebhook({ secret: options.secret, id: options.id, timestamp: options.timestamp, body: options.body }),
      },
      body: options.body,
    });
    await response.body?.cancel().catch(() => undefined);
    const isDelivered = response.status >= 200 && response.status < 300;
    return { statusCode: response.status, error: isDelivered ? null : `HTTP ${String(response.status)}`, durationMs: elapsed(), isDelivered };
  } catch (error) {
    return { statusCode: null, error: describeFailure(error).slice(0, 200), durationMs: elapsed(), isDelivered: false };
  } finally {
    deadline.clear();
  }
}
