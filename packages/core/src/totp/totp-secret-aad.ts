/**
 * The AAD a TOTP secret is encrypted with: its factor id, so a ciphertext copied to another
 * factor's row does not decrypt (invariant 6). Enrollment, verification, the canary, the drills
 * and the benchmark all bind secrets through this one function.
 */
export function totpSecretAad(factorId: string): string {
  return `totp:${factorId}`;
}
