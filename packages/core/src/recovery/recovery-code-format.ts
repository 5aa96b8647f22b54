/**
 * Crockford-like alphabet without 0/O and 1/I, which users misread when typing from paper.
 * 32 symbols = exactly 5 bits each, so `byte & 31` selects uniformly with no modulo bias.
 */
export const recoveryCodeAlphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/**
 * 10 symbols × 5 bits = 50 bits per code: above NIST 800-63B's 20-bit floor for look-up secrets,
 * and below its 64-bit mark, so verification must stay behind the lockout policy.
 */
export const recoveryCodeLength = 10;

const canonicalPattern = new RegExp(`^[${recoveryCodeAlphabet}]{${recoveryCodeLength}}$`);

/**
 * Accepts what users actually type (lower case, spaces, the dash we print, or none) and returns
 * the canonical 10-symbol form, or null if it cannot be a recovery code.
 */
export function normalizeRecoveryCode(input: string): string | null {
  const canonical = input.trim().replace(/[\s-]/g, '').toUpperCase();
  return canonicalPattern.test(canonical) ? canonical : null;
}

/** `XXXXX-XXXXX`: two groups are easier to copy by hand than ten symbols in a row. */
export function formatRecoveryCode(canonical: string): string {
  const half = recoveryCodeLength / 2;
  return `${canonical.slice(0, half)}-${canonical.slice(half)}`;
}
