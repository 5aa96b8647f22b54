import { scrypt } from 'node:crypto';

import { constantTimeEqual } from '../crypto/constant-time-equal';
import { HoldfastError } from '../errors';
import { normalizeRecoveryCode } from './recovery-code-format';

/** Per-code salt length; the caller draws it from its RandomSource and stores it beside the hash. */
export const recoveryCodeSaltBytes = 16;

// scrypt N=2^14, r=8, p=1 (16 MiB, tens of ms): slows offline guessing of a leaked table while a
// verification that hashes against ~10 candidates stays well under a second.
const scryptParams = { N: 2 ** 14, r: 8, p: 1 } as const;
const hashBytes = 32;

function scryptAsync({ password, salt }: { password: string; salt: Uint8Array }): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, hashBytes, scryptParams, (error, derived) => {
      if (error) {
        reject(new HoldfastError('INTERNAL', 'Recovery code hashing failed', { cause: error }));
        return;
      }
      resolve(new Uint8Array(derived.buffer, derived.byteOffset, derived.byteLength));
    });
  });
}

/** Salted hash of the canonical code, so `abcde-fghjk` and `ABCDEFGHJK` hash alike. */
export async function hashRecoveryCode({ code, salt }: { code: string; salt: Uint8Array }): Promise<Uint8Array> {
  const canonical = normalizeRecoveryCode(code);
  if (canonical === null) {
    throw new HoldfastError('BAD_REQUEST', 'Recovery code is malformed');
  }
  if (salt.length !== recoveryCodeSaltBytes) {
    throw new HoldfastError('INTERNAL', 'Recovery code salt has the wrong length');
  }
  return scryptAsync({ password: canonical, salt });
}

export interface RecoveryCodeCandidate {
  id: string;
  salt: Uint8Array;
  hash: Uint8Array;
}

/**
 * Returns the id of the stored (unused) code that matches, or null. Every candidate is hashed and
 * compared, matched or not, so timing does not reveal which stored code was hit. Consuming the
 * code (deleting or marking it used) is the caller's job, atomically with accepting it.
 */
export async function findMatchingRecoveryCode({ code, candidates }: { code: string; candidates: readonly RecoveryCodeCandidate[] }): Promise<string | null> {
  const canonical = normalizeRecoveryCode(code);
  // Only the format is revealed by returning early, nothing about the stored codes.
  if (canonical === null) {
    return null;
  }
  const hashes = await Promise.all(candidates.map((candidate) => hashRecoveryCode({ code: canonical, salt: candidate.salt })));
  let matchedId: string | null = null;
  for (const [index, candidate] of candidates.entries()) {
    const hash = hashes[index];
    const isMatch = hash !== undefined && constantTimeEqual(hash, candidate.hash);
    if (isMatch) {
      matchedId ??= candidate.id;
    }
  }
  return matchedId;
}
