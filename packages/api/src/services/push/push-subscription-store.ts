import { decryptSecret, encryptSecret, HoldfastError, pushSignatureAudience, type Keyring, type RandomSource } from '@holdfast/core';
import { isIP } from 'node:net';
import { defaultPushSettings, type PushSettings, type ServiceDeps } from '../../deps';

/** A Web Push subscription as stored (encrypted) and as the sender needs it. */
export interface StoredPushSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export function pushSettingsOf(deps: ServiceDeps): PushSettings {
  return deps.push ?? defaultPushSettings;
}

/**
 * The audience this gateway signs for: its own configured push origin and the stored application
 * id — never one a device names (core push-signature.ts).
 */
export function pushAudienceFor(deps: ServiceDeps, applicationId: string): string {
  return pushSignatureAudience({ origin: pushSettingsOf(deps).publicUrl, applicationId });
}

/** Binds the ciphertext to its device (invariant 6): copied onto another device's row, it does not decrypt. */
export function pushSubscriptionAad(factorId: string): string {
  return `push-subscription:${factorId}`;
}

export function encryptPushSubscription(options: { keyring: Keyring; random: RandomSource; factorId: string; subscription: StoredPushSubscription }): string {
  const { endpoint, keys } = options.subscription;
  // Only the three fields, in a fixed order: nothing else a device sent is kept.
  const plaintext = JSON.stringify({ endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } });
  return encryptSecret({ keyring: options.keyring, random: options.random, plaintext, aad: pushSubscriptionAad(options.factorId) });
}

export function decryptPushSubscription(options: { keyring: Keyring; factorId: string; envelope: string }): StoredPushSubscription {
  return JSON.parse(
    decryptSecret({ keyring: options.keyring, envelope: options.envelope, aad: pushSubscriptionAad(options.factorId) }),
  ) as StoredPushSubscription;
}

export function isSameSubscription(a: StoredPushSubscription, b: StoredPushSubscription): boolean {
  return a.endpoint === b.endpoint && a.keys.p256dh === b.keys.p256dh && a.keys.auth === b.keys.auth;
}

/**
 * May the gateway POST to this endpoint? A device hands the gateway a URL and the gateway sends
 * to it later: without an allow-list that is a server-side request forgery into the deployment's
 * network. https only, no userinfo, and the host[:port] must match one of `serviceHosts` — exactly,
 * or as a subdomain of a `*.` pattern (never the bare domain). An IP literal matches only a
 * pattern that names that exact IP (a test's local push service); a wildcard never matches an IP.
 * A pattern without a port allows only the default https port.
 */
export function isAllowedPushEndpoint(endpoint: string, serviceHosts: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '') return false;
  const hostname = url.hostname.toLowerCase();
  const port = url.port === '' ? '443' : url.port;
  const isIpLiteral = isIP(hostname.replace(/^\[|\]$/gu, '')) !== 0;
  return serviceHosts.some((raw) => {
    const pattern = parseHostPattern(raw.trim().toLowerCase());
    if (pattern === null || pattern.port !== port) return false;
    if (pattern.isWildcard) return !isIpLiteral && hostname.endsWith(`.${pattern.host}`) && hostname.length > pattern.host.length + 1;
    return hostname === pattern.host;
  });
}

function parseHostPattern(pattern: string): { host: string; port: string; isWildcard: boolean } | null {
  if (pattern === '') return null;
  // `[v6]:port`, `[v6]`, `host:port`, `host`, `*.domain[:port]`.
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/u.exec(pattern);
  if (match?.[1] === undefined) return null;
  const isWildcard = match[1].startsWith('*.');
  const host = isWildcard ? match[1].slice(2) : match[1];
  if (host === '' || host.includes('*')) return null;
  return { host, port: match[2] ?? '443', isWildcard };
}

/** Pairing and subscription updates refuse an endpoint the deployment would not send to. */
export function assertAllowedPushEndpoint(deps: ServiceDeps, endpoint: string): void {
  if (!isAllowedPushEndpoint(endpoint, pushSettingsOf(deps).serviceHosts)) {
    throw new HoldfastError('BAD_REQUEST', 'this push service is not one this deployment sends to (HOLDFAST_PUSH_SERVICE_HOSTS)');
  }
}

/** The push service's host, for the audit trail: the endpoint's path is a capability and stays out of it. */
export function pushServiceHostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return 'invalid';
  }
}
