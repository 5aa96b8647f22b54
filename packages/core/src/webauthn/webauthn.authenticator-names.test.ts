import { describe, expect, it } from 'vitest';
import { authenticatorNameFor } from './authenticator-names';

describe('authenticator names by AAGUID', () => {
  it('names well-known models, whatever the case of the GUID', () => {
    expect(authenticatorNameFor('fbfc3007-154e-4ecc-8c0b-6e020557d7bd')).toBe('iCloud Keychain');
    expect(authenticatorNameFor('EA9B8D66-4D01-1D21-3CE4-B6B48CB575D4')).toBe('Google Password Manager');
  });

  it('returns null for unknown models and the all-zero AAGUID', () => {
    expect(authenticatorNameFor('00000000-0000-0000-0000-000000000000')).toBeNull();
    expect(authenticatorNameFor('12345678-1234-1234-1234-123456789abc')).toBeNull();
  });
});
