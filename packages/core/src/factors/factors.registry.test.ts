import { assuranceLevels, factorKinds } from '@holdfast/validators';
import { describe, expect, it } from 'vitest';

import { factorModuleFor, factorRegistry } from './registry';

describe('factor registry', () => {
  it('has one module for every factor kind, filed under its own kind', () => {
    expect(Object.keys(factorRegistry).sort()).toEqual([...factorKinds].sort());
    for (const kind of factorKinds) expect(factorModuleFor(kind).kind).toBe(kind);
  });

  it('reports a NIST assurance level, a description and a noun for each', () => {
    for (const kind of factorKinds) {
      const module = factorModuleFor(kind);
      expect(assuranceLevels).toContain(module.assuranceLevel);
      expect(module.description.length).toBeGreaterThan(10);
      expect(module.noun.length).toBeGreaterThan(3);
    }
  });

  it('claims AAL2 for every kind today: with the application password, none is hardware-bound for sure', () => {
    expect(Object.values(factorRegistry).map((module) => module.assuranceLevel)).toEqual(['aal2', 'aal2', 'aal2', 'aal2', 'aal2']);
  });

  it('names each kind as messages need it', () => {
    expect(factorRegistry.totp.noun).toBe('TOTP factor');
    expect(factorRegistry.recovery_codes.noun).toBe('recovery codes');
    expect(factorRegistry.webauthn.noun).toBe('security key or passkey');
    expect(factorRegistry.push.noun).toBe('push device');
    expect(factorRegistry.bypass.noun).toBe('bypass code');
  });

  it('gives each kind its RFC 8176 method reference for signed results', () => {
    expect(factorRegistry.totp.amr).toBe('otp');
    expect(factorRegistry.recovery_codes.amr).toBe('recovery_code');
    expect(factorRegistry.webauthn.amr).toBe('hwk');
    // A paired phone: proof of possession of a software-secured key (WebCrypto, non-extractable).
    expect(factorRegistry.push.amr).toBe('swk');
    // An admin-issued one-time code is no RFC 8176 method either: Holdfast's own word.
    expect(factorRegistry.bypass.amr).toBe('bypass_code');
  });
});
