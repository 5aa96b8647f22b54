import { describe, expect, it } from 'vitest';
import {
  isWellFormedTotpCode,
  recoveryCode,
  recoveryCodeAlphabet,
  recoveryCodeCanonicalPattern,
  recoveryCodeGroupLength,
  recoveryCodeLength,
  stripCodeSeparators,
  totpCode,
  totpCodeInputMaxLength,
  typedRecoveryCode,
  typedTotpCode,
} from './code-formats';

describe('TOTP code format', () => {
  it.each(['123456', '000000', '12345678', '00000000'])('accepts %s on the wire', (code) => {
    expect(totpCode.safeParse(code).success).toBe(true);
    expect(isWellFormedTotpCode(code)).toBe(true);
  });

  it.each([
    ['five digits', '12345'],
    ['seven digits', '1234567'],
    ['nine digits', '123456789'],
    ['a letter', '12345a'],
    ['a space', '123 456'],
    ['a dash', '123-456'],
    ['a trailing newline', '123456\n'],
    ['a leading space', ' 123456'],
    ['non-ASCII digits', '١٢٣٤٥٦'],
    ['empty', ''],
  ])('refuses %s on the wire', (_, code) => {
    expect(totpCode.safeParse(code).success).toBe(false);
    expect(isWellFormedTotpCode(code)).toBe(false);
  });

  it.each([
    ['123 456', '123456'],
    ['123-456', '123456'],
    [' 1234 5678 ', '12345678'],
    ['12 34 56 78', '12345678'],
    ['123456', '123456'],
  ])('accepts %j as typed and sends %s', (typed, wire) => {
    expect(typedTotpCode.parse(typed)).toBe(wire);
  });

  it.each(['12 345', '123 4567', 'abc def', '123.456', '123_456'])('refuses %j as typed', (typed) => {
    expect(typedTotpCode.safeParse(typed).success).toBe(false);
  });

  it('lets a form field hold the widest grouping of the longest code', () => {
    expect(totpCodeInputMaxLength).toBe('12 34 56 78'.length);
  });
});

describe('recovery code format', () => {
  it('has 32 distinct symbols (5 bits each) and none that people misread', () => {
    expect(new Set(recoveryCodeAlphabet).size).toBe(32);
    expect(recoveryCodeAlphabet.length).toBe(32);
    for (const ambiguous of ['0', 'O', '1', 'I']) expect(recoveryCodeAlphabet).not.toContain(ambiguous);
  });

  it('is ten symbols printed in two groups of five', () => {
    expect(recoveryCodeLength).toBe(10);
    expect(recoveryCodeGroupLength).toBe(5);
  });

  it.each(['ABCDEFGHJK', '2345678923', 'ZZZZZZZZZZ'])('takes %s as canonical', (code) => {
    expect(recoveryCodeCanonicalPattern.test(code)).toBe(true);
  });

  it.each([
    ['lower case', 'abcdefghjk'],
    ['a dash', 'ABCDE-FGHJK'],
    ['nine symbols', 'ABCDEFGHJ'],
    ['eleven symbols', 'ABCDEFGHJKL'],
    ['a zero', 'ABCDEFGHJ0'],
    ['a letter O', 'ABCDEFGHJO'],
    ['a one', 'ABCDEFGHJ1'],
    ['a letter I', 'ABCDEFGHJI'],
  ])('does not take %s as canonical', (_, code) => {
    expect(recoveryCodeCanonicalPattern.test(code)).toBe(false);
  });

  it('bounds what is sent: 10 to 32 characters, untrimmed', () => {
    expect(recoveryCode.safeParse('ABCDE-FGHJK').success).toBe(true);
    expect(recoveryCode.safeParse('A'.repeat(10)).success).toBe(true);
    expect(recoveryCode.safeParse('A'.repeat(32)).success).toBe(true);
    expect(recoveryCode.safeParse('A'.repeat(9)).success).toBe(false);
    expect(recoveryCode.safeParse('A'.repeat(33)).success).toBe(false);
    expect(recoveryCode.parse(' abcde fghjk ')).toBe(' abcde fghjk ');
  });

  it('trims what a person typed before the bounds apply', () => {
    expect(typedRecoveryCode.parse('  ABCDE-FGHJK  ')).toBe('ABCDE-FGHJK');
    expect(typedRecoveryCode.safeParse('   ABCDEFGHJ   ').success).toBe(false);
    expect(typedRecoveryCode.safeParse(`  ${'A'.repeat(32)}  `).success).toBe(true);
  });
});

describe('separators', () => {
  it('drops spaces, tabs and dashes, and nothing else', () => {
    expect(stripCodeSeparators(' 12-34\t56 ')).toBe('123456');
    expect(stripCodeSeparators('ab.cd_ef')).toBe('ab.cd_ef');
  });
});
