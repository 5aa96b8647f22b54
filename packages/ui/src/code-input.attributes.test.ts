import { recoveryCodeInputMaxLength, totpCodeInputMaxLength, typedRecoveryCode, typedTotpCode } from '@holdfast/validators';
import { describe, expect, it } from 'vitest';

import { codeInputAttributes } from './code-input-attributes';

/** What a browser does with the `pattern` attribute (HTML: anchored, compiled with the `v` flag). */
function browserAccepts(pattern: string, value: string): boolean {
  return new RegExp(`^(?:${pattern})$`, 'v').test(value);
}

describe('TOTP code field', () => {
  const attributes = codeInputAttributes('totp');

  it('brings up the number pad and offers one-time codes from autofill', () => {
    expect(attributes.inputMode).toBe('numeric');
    expect(attributes.autoComplete).toBe('one-time-code');
  });

  it.each(['123456', '123 456', '123-456', '12345678', '1234 5678', '12 34 56 78'])('lets %j through, which the server accepts', (typed) => {
    expect(browserAccepts(attributes.pattern, typed)).toBe(true);
    expect(typed.length).toBeLessThanOrEqual(attributes.maxLength);
    expect(typedTotpCode.safeParse(typed).success).toBe(true);
  });

  it.each(['12345a', 'abcdef', '123.456', '123_456'])('stops %j in the browser', (typed) => {
    expect(browserAccepts(attributes.pattern, typed)).toBe(false);
  });

  it('takes its length from the validators (one field, no drift)', () => {
    expect(attributes.maxLength).toBe(totpCodeInputMaxLength);
  });
});

describe('recovery code field', () => {
  const attributes = codeInputAttributes('recovery_code');

  it('is typed from paper: no autofill, capitals, no spell check', () => {
    expect(attributes.autoComplete).toBe('off');
    expect(attributes.autoCapitalize).toBe('characters');
    expect(attributes.spellCheck).toBe(false);
  });

  it.each(['ABCDE-FGHJK', 'abcde fghjk', 'ABCDEFGHJK', ' zz2z3-4z5z6 '])('lets %j through, which the server accepts', (typed) => {
    expect(browserAccepts(attributes.pattern, typed)).toBe(true);
    expect(typed.length).toBeLessThanOrEqual(attributes.maxLength);
    expect(typedRecoveryCode.safeParse(typed).success).toBe(true);
  });

  it.each(['ABCDE-FGHJ0', 'ABCDE_FGHJK', 'ABCDE/FGHJK', 'OOOOO-IIIII'])('stops %j (not in the alphabet) in the browser', (typed) => {
    expect(browserAccepts(attributes.pattern, typed)).toBe(false);
  });

  it('takes its length from the validators', () => {
    expect(attributes.maxLength).toBe(recoveryCodeInputMaxLength);
  });
});
