/**
 * Key-encryption keys by id. The active key wraps new data keys; the others stay only so older
 * envelopes can be read until `rewrapSecret` has moved them (key rotation).
 */
export interface Keyring {
  activeKeyId: string;
  /** Each key is 32 bytes (AES-256). */
  keys: ReadonlyMap<string, Uint8Array>;
}

export const keyIdPattern = /^[A-Za-z0-9_-]{1,32}$/;
export const keyBytes = 32;

const base64Pattern = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Parses operator configuration `kid1:base64key,kid2:base64key`. Throws a plain Error (a startup
 * configuration fault, not a request error); messages name key ids but never key material.
 */
export function parseKeyring({ keys, activeKeyId }: { keys: string; activeKeyId: string }): Keyring {
  const parsed = new Map<string, Uint8Array>();
  const entries = keys
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (entries.length === 0) {
    throw new Error('Keyring is empty: expected "kid:base64key[,kid:base64key…]"');
  }
  for (const [position, entry] of entries.entries()) {
    const separator = entry.indexOf(':');
    if (separator < 0) {
      throw new Error(`Keyring entry ${position + 1} is not of the form "kid:base64key"`);
    }
    const kid = entry.slice(0, separator).trim();
    const encoded = entry.slice(separator + 1).trim();
    if (!keyIdPattern.test(kid)) {
      throw new Error(`Keyring entry ${position + 1} has an invalid key id (allowed: [A-Za-z0-9_-], 1-32 chars)`);
    }
    if (parsed.has(kid)) {
      throw new Error(`Keyring key id "${kid}" appears more than once`);
    }
    const key = base64Pattern.test(encoded) ? Buffer.from(encoded, 'base64') : null;
    if (key?.length !== keyBytes) {
      throw new Error(`Keyring key "${kid}" must be exactly ${keyBytes} bytes of standard base64`);
    }
    parsed.set(kid, new Uint8Array(key));
  }
  if (!parsed.has(activeKeyId)) {
    throw new Error(`Active key id "${activeKeyId}" is not in the keyring`);
  }
  return { activeKeyId, keys: parsed };
}
