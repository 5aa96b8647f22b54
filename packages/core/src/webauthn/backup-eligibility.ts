/**
 * The backup-eligible (BE) flag is fixed when a credential is created and "MUST NOT change"
 * (WebAuthn Level 3 §6.1.3); §7.2 step 19 has the relying party compare it with the stored value on
 * every assertion. A change means the assertion was made by something other than the authenticator
 * that registered the credential (e.g. a key exported into a syncing password manager): refused.
 * Backup *state* (BS) may change — a passkey gets synced later — and is only recorded.
 */
export function hasBackupEligibilityChanged(options: { registered: boolean; asserted: boolean }): boolean {
  return options.registered !== options.asserted;
}
