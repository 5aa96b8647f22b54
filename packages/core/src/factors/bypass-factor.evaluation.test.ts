import { bypassCodeLength, recoveryCodeAlphabet } from '@holdfast/validators';
import { describe, expect, it } from 'vitest';

import { auditRecordToOcsf } from '../audit-log/export';
import { deterministicRandom } from '../test-support/deterministic-random';
import {
  bypassCodeSaltBytes,
  bypassFactor,
  evaluateBypassCode,
  formatBypassCode,
  generateBypassCode,
  hashBypassCode,
  normalizeBypassCode,
  type StoredBypassCode,
} from './bypass-factor';

const now = new Date('2026-12-02T10:00:00.000Z');
const salt = new Uint8Array(bypassCodeSaltBytes).fill(7);

function stored(code: string, overrides: Partial<StoredBypassCode> = {}): StoredBypassCode {
  return { salt, hash: hashBypassCode({ code, salt }), expiresAt: new Date(now.getTime() + 60_000), usedAt: null, ...overrides };
}

describe('bypass codes', () => {
  it('draws 12 symbols (60 bits) of the recovery alphabet, printed in groups of four', () => {
    const code = generateBypassCode({ random: deterministicRandom('bypass') });
    expect(code).toMatch(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
    expect(bypassCodeLength * Math.log2(recoveryCodeAlphabet.length)).toBeGreaterThanOrEqual(50);
    const many = new Set(Array.from({ length: 200 }, () => generateBypassCode({ random: deterministicRandom(String(Math.random())) })));
    expect(many.size).toBe(200);
  });

  it('accepts what people type: case, spaces and dashes', () => {
    expect(normalizeBypassCode(' abcd efgh-jkmn ')).toBe('ABCDEFGHJKMN');
    expect(normalizeBypassCode('ABCD-EFGH-JKM')).toBeNull();
    expect(normalizeBypassCode('ABCD-EFGH-JKM0')).toBeNull();
    expect(formatBypassCode('ABCDEFGHJKMN')).toBe('ABCD-EFGH-JKMN');
  });

  it('stores a salted HMAC: the same code under another salt hashes differently, never the code itself', () => {
    const other = new Uint8Array(bypassCodeSaltBytes).fill(9);
    const a = hashBypassCode({ code: 'ABCD-EFGH-JKMN', salt });
    expect(hashBypassCode({ code: 'abcdefghjkmn', salt })).toEqual(a);
    expect(hashBypassCode({ code: 'ABCD-EFGH-JKMN', salt: other })).not.toEqual(a);
    expect(Buffer.from(a).toString('latin1')).not.toContain('ABCDEFGHJKMN');
    expect(() => hashBypassCode({ code: 'ABCD-EFGH-JKMN', salt: new Uint8Array(4) })).toThrow();
  });

  it('matches the right unexpired code, refuses a wrong, malformed or expired one as invalid_code', () => {
    const code = 'ABCD-EFGH-JKMN';
    expect(evaluateBypassCode({ code: 'abcd efgh jkmn', stored: stored(code), now })).toEqual({ isMatch: true });
    expect(evaluateBypassCode({ code: 'ABCD-EFGH-JKMP', stored: stored(code), now })).toEqual({ isMatch: false, reason: 'invalid_code' });
    expect(evaluateBypassCode({ code: 'not a code', stored: stored(code), now })).toEqual({ isMatch: false, reason: 'invalid_code' });
    expect(evaluateBypassCode({ code, stored: stored(code, { expiresAt: now }), now })).toEqual({ isMatch: false, reason: 'invalid_code' });
    expect(evaluateBypassCode({ code, stored: null, now })).toEqual({ isMatch: false, reason: 'invalid_code' });
  });

  it('leaves single use to the caller: a used right code still matches, so its compare-and-set loses (replay)', () => {
    const code = 'ABCD-EFGH-JKMN';
    expect(evaluateBypassCode({ code, stored: stored(code, { usedAt: now }), now })).toEqual({ isMatch: true });
  });

  it('is a factor module of its own kind', () => {
    expect(bypassFactor.kind).toBe('bypass');
    expect(bypassFactor.evaluate).toBe(evaluateBypassCode);
  });
});

describe('bypass.issued in the standard exports', () => {
  it('is an OCSF Account Change "MFA Factor Enable" with factor Other (99) named "Bypass Code", never the code', () => {
    const ocsf = auditRecordToOcsf({
      format: 'holdfast-audit-record/v1',
      leafIndex: 3,
      eventId: '0195f0a4-7a5e-7c3b-9d2e-1f2a3b4c5d6e',
      occurredAt: '2026-12-02T10:00:00.000Z',
      type: 'bypass.issued',
      applicationId: '5b0c5a52-8a0f-4f6e-9a57-3b0f5c1d2e3f',
      userId: 'alice',
      factorId: '6c1d6b63-9b1f-4a7f-8b68-4c1f6d2e3f40',
      attemptId: null,
      gatewayId: 'gw-a',
      region: 'region-1',
      detail: { adminId: 'a', expiresAt: '2026-12-02T11:00:00.000Z' },
      checkpoint: { treeSize: 4, rootHash: 'q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJo=', note: 'n' },
    });
    expect(ocsf.class_uid).toBe(3001);
    expect(ocsf.activity_id).toBe(10);
    expect(ocsf.severity_id).toBe(3);
    expect(ocsf.auth_factors).toEqual([{ factor_type_id: 99, factor_type: 'Bypass Code', provider: 'Holdfast' }]);
  });
});
