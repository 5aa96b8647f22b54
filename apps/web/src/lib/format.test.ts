import { describe, expect, it } from 'vitest';
import { formatDate, groupSecret, normalizeCode, recoveryCodesFile } from './format';

describe('format', () => {
  it('groups a secret in fours for reading and typing', () => {
    expect(groupSecret('JBSWY3DPEHPK3PXPAB')).toBe('JBSW Y3DP EHPK 3PXP AB');
    expect(groupSecret('')).toBe('');
  });

  it('keeps only what a code is made of', () => {
    expect(normalizeCode(' 123 456 ')).toBe('123456');
    expect(normalizeCode('123-456')).toBe('123456');
  });

  it('writes one recovery code per line after an explanation', () => {
    const text = recoveryCodesFile({ codes: ['AAAAA-BBBBB', 'CCCCC-DDDDD'], generatedAt: new Date('2026-01-02T03:04:05Z') });
    expect(text.split('\n')).toContain('AAAAA-BBBBB');
    expect(text).toContain('Generated 2026-01-02T03:04:05.000Z');
  });

  it('shows "never" for a factor that was never used', () => {
    expect(formatDate(null)).toBe('never');
    expect(formatDate('2026-01-02T03:04:05Z')).toContain('2026');
  });
});
