import { recoveryCodeAlphabet, recoveryCodeCanonicalPattern, recoveryCodeGroupLength, recoveryCodeLength, stripCodeSeparators } from '@holdfast/validators';

// The format itself (alphabet, length, grouping) is one of the system's words: @holdfast/validators.
export { recoveryCodeAlphabet, recoveryCodeLength };

/**
 * Accepts what users actually type (lower case, spaces, the dash we print, or none) and returns
 * the canonical 10-symbol form, or null if it cannot be a recovery code.
 */
export function normalizeRecoveryCode(input: string): string | null {
  const canonical = stripCodeSeparators(input).toUpperCase();
  return recoveryCodeCanonicalPattern.test(canonical) ? canonical : null;
}

/** `XXXXX-XXXXX`: two groups are easier to copy by hand than ten symbols in a row. */
export function formatRecoveryCode(canonical: string): string {
  return `${canonical.slice(0, recoveryCodeGroupLength)}-${canonical.slice(recoveryCodeGroupLength)}`;
}
