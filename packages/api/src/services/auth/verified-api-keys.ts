import { isSecretHashMatch, parseApiKey } from '@holdfast/db';

/**
 * Which application a bearer belonged to the last time this process verified it, for one use:
 * attributing a request refused because no database was reachable (issue 12: "503s, refused
 * logins" are events of an outage; the trail must show them, and only the outage spool can take
 * them). During an outage the key cannot be checked — the lookup needs the database, and the
 * metadata cache serves nothing while its LISTEN connection is down (invariant 8) — so the request
 * is refused all the same; this decides nothing about access, it only names whose refused request
 * the spooled row is. Only a bearer that matches the stored secret hash is attributed: an unknown
 * or guessed key still writes no row (issue 8, hole 4). Bounded in size and age.
 */
const maxKeys = 10_000;
const maxAgeMs = 10 * 60_000;

const verified = new Map<string, { applicationId: string; secretHash: Uint8Array; at: number }>();

export function rememberVerifiedApiKey(keyId: string, applicationId: string, secretHash: Uint8Array, now = Date.now()): void {
  // Starting over is always correct for a memory of this kind.
  if (verified.size >= maxKeys && !verified.has(keyId)) verified.clear();
  verified.set(keyId, { applicationId, secretHash, at: now });
}

/** The application whose key `bearer` is, as last verified here within ten minutes; null otherwise. */
export function recallVerifiedApiKey(bearer: string | null, now = Date.now()): string | null {
  const parsed = bearer === null ? null : parseApiKey(bearer);
  if (parsed === null) return null;
  const entry = verified.get(parsed.keyId);
  if (entry === undefined || now - entry.at > maxAgeMs) return null;
  return isSecretHashMatch(parsed.secret, entry.secretHash) ? entry.applicationId : null;
}
