import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Bearer tokens (API key secrets, enrollment tokens) are stored as SHA-256: they carry 256 random bits. */
export function hashToken(token: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash('sha256').update(token, 'utf8').digest());
}

export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

const apiKeyPattern = /^hf_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/** API keys look like `hf_<keyId>_<secret>`: the key id finds the row, the secret proves possession. */
export function generateApiKey(): { keyId: string; apiKey: string; secretHash: Uint8Array<ArrayBuffer> } {
  const keyId = randomBytes(8).toString('hex');
  const secret = generateToken();
  return { keyId, apiKey: `hf_${keyId}_${secret}`, secretHash: hashToken(secret) };
}

export function parseApiKey(apiKey: string): { keyId: string; secret: string } | null {
  const match = apiKeyPattern.exec(apiKey);
  if (match?.[1] === undefined || match[2] === undefined) return null;
  return { keyId: match[1], secret: match[2] };
}

/** Constant-time: the comparison must not tell an attacker how much of a guessed secret was right. */
export function isSecretHashMatch(secret: string, storedHash: Uint8Array): boolean {
  const candidate = hashToken(secret);
  return storedHash.length === candidate.length && timingSafeEqual(candidate, storedHash);
}
