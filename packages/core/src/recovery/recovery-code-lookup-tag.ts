import { createHash } from 'node:crypto';

import { normalizeRecoveryCode } from './recovery-code-format';

/** Bits of the lookup tag: with 10 codes per set, a wrong guess almost never meets a candidate. */
export const recoveryCodeLookupTagBits = 12;

/**
 * A short, non-secret tag that narrows a verification to (almost always) one stored code, so a
 * guess costs one scrypt at most instead of one per code in the set — a wrong guess usually none.
 * Measured in drills: hashing against every code let a burst of recovery-code logins starve a
 * gateway's CPU and database pool. The tag gives an offline attacker 12 of the code's 50 bits;
 * the remaining 38 are still behind scrypt (N=2^14), i.e. centuries of CPU per code.
 * `setId` (the recovery-code factor id) makes tags differ between sets and users.
 */
export function recoveryCodeLookupTag({ setId, code }: { setId: string; code: string }): number | null {
  const canonical = normalizeRecoveryCode(code);
  if (canonical === null) return null;
  const digest = createHash('sha256').update(`${setId}\u0000${canonical}`).digest();
  return digest.readUInt16BE(0) >> (16 - recoveryCodeLookupTagBits);
}
