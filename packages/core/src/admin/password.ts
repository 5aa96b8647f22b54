import { scrypt } from 'node:crypto';
import { constantTimeEqual } from '../crypto/constant-time-equal';
import { HoldfastError } from '../errors';
import type { RandomSource } from '../types';

/**
 * Admin passwords (issue 13: "hashed with a memory-hard KDF"). scrypt — memory-hard and in Node's
 * crypto (Argon2id is not, in Node 20) — at N=2^17, r=8, p=1: 128 MiB and a few hundred ms per
 * guess (OWASP's scrypt minimum is N=2^17). Stored as `scrypt$<logN>$<r>$<p>$<salt b64>$<hash b64>`
 * so parameters can be raised later and old hashes still verify (and be re-hashed at sign-in).
 * 128 MiB each: callers bound how many run at once (a sign-in flood must not exhaust memory).
 */
const params = { logN: 17, r: 8, p: 1 } as const;
const saltBytes = 16;
const hashBytes = 32;

function derive(password: string, salt: Uint8Array, logN: number, r: number, p: number): Promise<Uint8Array> {
  const N = 2 ** logN;
  return new Promise((resolve, reject) => {
    // maxmem: 128 * N * r bytes plus headroom, or Node refuses the parameters.
    scrypt(password.normalize('NFKC'), salt, hashBytes, { N, r, p, maxmem: 129 * N * r + 1024 * 1024 }, (error, derived) => {
      if (error) {
        reject(new HoldfastError('INTERNAL', 'Password hashing failed', { cause: error }));
        return;
      }
      resolve(new Uint8Array(derived.buffer, derived.byteOffset, derived.byteLength));
    });
  });
}

export async function hashAdminPassword(password: string, random: RandomSource): Promise<string> {
  const salt = random(saltBytes);
  const hash = await derive(password, salt, params.logN, params.r, params.p);
  return ['scrypt', params.logN, params.r, params.p, Buffer.from(salt).toString('base64'), Buffer.from(hash).toString('base64')].join('$');
}

const storedPattern = /^scrypt\$(\d{1,2})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9+/=]{1,64})\$([A-Za-z0-9+/=]{1,128})$/;

/**
 * Constant-time check. `stored` null (no such admin) still spends one full derivation against a
 * fixed dummy, so "unknown email" and "wrong password" take the same time.
 */
export async function verifyAdminPassword(password: string, stored: string | null): Promise<boolean> {
  const match = stored === null ? null : storedPattern.exec(stored);
  if (match === null) {
    await derive(password, new Uint8Array(saltBytes), params.logN, params.r, params.p);
    return false;
  }
  const [, logN, r, p, salt, hash] = match;
  const expected = new Uint8Array(Buffer.from(hash ?? '', 'base64'));
  const actual = await derive(password, new Uint8Array(Buffer.from(salt ?? '', 'base64')), Number(logN), Number(r), Number(p));
  return constantTimeEqual(actual, expected);
}

/** The stored hash uses weaker parameters than today's: re-hash it after a successful sign-in. */
export function adminPasswordNeedsRehash(stored: string): boolean {
  const match = storedPattern.exec(stored);
  return match === null || Number(match[1]) < params.logN || Number(match[2]) < params.r;
}
