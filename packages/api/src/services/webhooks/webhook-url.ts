import { HoldfastError } from '@holdfast/core';

/** Hosts that never leave the machine: the only ones a webhook may reach over plain http. */
const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Checks a relying application's webhook endpoint: absolute, https (http only for a loopback host,
 * for development), no credentials in the URL (they would be stored and logged in clear), no
 * fragment. Returns the normalized URL that is stored and called.
 */
export function parseWebhookUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new HoldfastError('WEBHOOK_URL_INVALID', 'webhook url must be an absolute URL');
  }
  const isLoopback = loopbackHosts.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback)) {
    throw new HoldfastError('WEBHOOK_URL_INVALID', 'webhook url must use https (http only for localhost)');
  }
  if (url.username !== '' || url.password !== '') {
    throw new HoldfastError('WEBHOOK_URL_INVALID', 'webhook url must not carry credentials');
  }
  if (url.hash !== '') {
    throw new HoldfastError('WEBHOOK_URL_INVALID', 'webhook url must not have a fragment');
  }
  const normalized = url.toString();
  if (normalized.length > 2048) throw new HoldfastError('WEBHOOK_URL_INVALID', 'webhook url is too long');
  return normalized;
}
