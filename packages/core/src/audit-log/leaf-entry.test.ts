import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { auditLeafEntry, auditLeafFormat, auditRowLeafHash, type AuditLeafRow } from './leaf-entry';

const row: AuditLeafRow = {
  eventId: '0195f0a4-7a5e-7c3b-9d2e-1f2a3b4c5d6e',
  occurredAt: new Date('2026-03-01T12:00:00.123Z'),
  type: 'verification.succeeded',
  applicationId: '5b0c5a52-8a0f-4f6e-9a57-3b0f5c1d2e3f',
  userId: '6c1d6b63-9b1f-4a7f-8b68-4c1f6d2e3f40',
  factorId: null,
  attemptId: 'attempt-1',
  gatewayId: 'gw-eu-1',
  region: 'eu',
  detail: { kind: 'totp', outcome: { accepted: true, step: 59333333 } },
};

const text = (entry: Uint8Array): string => new TextDecoder().decode(entry);

describe('auditLeafEntry', () => {
  it('is the UTF-8 of a tagged JSON array, detail as one string of canonical JSON', () => {
    expect(text(auditLeafEntry(row))).toBe(
      '["holdfast-audit-leaf-v1","0195f0a4-7a5e-7c3b-9d2e-1f2a3b4c5d6e",1772366400123,"verification.succeeded",' +
        '"5b0c5a52-8a0f-4f6e-9a57-3b0f5c1d2e3f","6c1d6b63-9b1f-4a7f-8b68-4c1f6d2e3f40",null,"attempt-1","gw-eu-1","eu",' +
        '"{\\"kind\\":\\"totp\\",\\"outcome\\":{\\"accepted\\":true,\\"step\\":59333333}}"]',
    );
    expect(auditLeafFormat).toBe('holdfast-audit-leaf-v1');
  });

  it('does not depend on the key order of the detail jsonb', () => {
    const reordered = { ...row, detail: { outcome: { step: 59333333, accepted: true }, kind: 'totp' } };
    expect(auditLeafEntry(reordered)).toEqual(auditLeafEntry(row));
  });

  it('changes when any field changes', () => {
    const changes: Partial<AuditLeafRow>[] = [
      { eventId: '0195f0a4-7a5e-7c3b-9d2e-1f2a3b4c5d6f' },
      { occurredAt: new Date(row.occurredAt.getTime() + 1) },
      { type: 'verification.failed' },
      { applicationId: null },
      { userId: '6c1d6b63-9b1f-4a7f-8b68-4c1f6d2e3f41' },
      { factorId: '7d2e7c74-ac2f-4b80-9c79-5d2f7e3f4051' },
      { attemptId: 'attempt-2' },
      { attemptId: null },
      { gatewayId: 'gw-eu-2' },
      { region: 'us' },
      { detail: { kind: 'totp', outcome: { accepted: false, step: 59333333 } } },
      { detail: { kind: 'totp', outcome: { accepted: true, step: 59333333 }, extra: null } },
      { detail: {} },
    ];
    const original = Buffer.from(auditLeafEntry(row)).toString('hex');
    for (const change of changes) {
      expect(Buffer.from(auditLeafEntry({ ...row, ...change })).toString('hex'), JSON.stringify(change)).not.toBe(original);
    }
  });

  it('keeps field boundaries: text moved between fields, null vs "" vs "null", a string detail vs an object', () => {
    const rows: AuditLeafRow[] = [
      { ...row, gatewayId: 'ab', region: 'c' },
      { ...row, gatewayId: 'a', region: 'bc' },
      { ...row, gatewayId: 'a","b', region: 'c' },
      { ...row, gatewayId: 'a', region: 'b","c' },
      { ...row, userId: null },
      { ...row, userId: '' },
      { ...row, userId: 'null' },
      { ...row, factorId: null, attemptId: 'x' },
      { ...row, factorId: 'x', attemptId: null },
      { ...row, detail: { a: 1 } },
      { ...row, detail: '{"a":1}' },
      { ...row, detail: ['a', 1] },
      { ...row, detail: null },
      { ...row, detail: 'null' },
      { ...row, detail: '\ud800' },
      { ...row, detail: '\ufffd' },
    ];
    const entries = new Set(rows.map((r) => Buffer.from(auditLeafEntry(r)).toString('hex')));
    expect(entries.size).toBe(rows.length);
  });

  it('parses back to exactly its fields, whatever they hold (so no two rows share bytes)', () => {
    const awkward = ['', '"', '\\', ',', '","', '\\"', 'null', '[', ']', 'é', '\u2028', '\ud83d\ude00', '\ud800', '\u0000'];
    for (const value of awkward) {
      const tricky: AuditLeafRow = { ...row, type: value, attemptId: value, region: value, detail: { [value]: value } };
      const fields = JSON.parse(text(auditLeafEntry(tricky))) as unknown[];
      expect(fields).toEqual([
        auditLeafFormat,
        row.eventId,
        row.occurredAt.getTime(),
        value,
        row.applicationId,
        row.userId,
        row.factorId,
        value,
        row.gatewayId,
        value,
        JSON.stringify({ [value]: value }),
      ]);
    }
  });

  it('refuses a row read wrongly instead of hashing a guess', () => {
    const broken: [string, unknown][] = [
      ['missing column', { ...row, factorId: undefined }],
      ['invalid date', { ...row, occurredAt: new Date(Number.NaN) }],
      ['time as text', { ...row, occurredAt: '2026-03-01T12:00:00.123Z' }],
      ['number id', { ...row, eventId: 42 }],
      ['null gateway', { ...row, gatewayId: null }],
      ['detail not JSON', { ...row, detail: { at: new Date(0) } }],
    ];
    for (const [name, value] of broken) expect(() => auditLeafEntry(value as AuditLeafRow), name).toThrow();
  });

  it('hashes a row as the RFC 6962 leaf of its entry', () => {
    const expected = createHash('sha256').update(Uint8Array.of(0)).update(auditLeafEntry(row)).digest('hex');
    expect(Buffer.from(auditRowLeafHash(row)).toString('hex')).toBe(expected);
  });
});
