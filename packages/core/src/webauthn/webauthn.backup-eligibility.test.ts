import { describe, expect, it } from 'vitest';
import { hasBackupEligibilityChanged } from './backup-eligibility';

describe('WebAuthn backup-eligible flag (Level 3 §6.1.3, §7.2 step 19)', () => {
  it('accepts the flag as registered, either way', () => {
    expect(hasBackupEligibilityChanged({ registered: true, asserted: true })).toBe(false);
    expect(hasBackupEligibilityChanged({ registered: false, asserted: false })).toBe(false);
  });
  it('refuses a flag that changed, either way', () => {
    expect(hasBackupEligibilityChanged({ registered: false, asserted: true })).toBe(true);
    expect(hasBackupEligibilityChanged({ registered: true, asserted: false })).toBe(true);
  });
});
