import { recoveryCodeAlphabet, recoveryCodeInputMaxLength, totpCodeInputMaxLength } from '@holdfast/validators';

/** Which code a field takes: an authenticator app's digits, or one of the printed recovery codes. */
export type CodeKind = 'totp' | 'recovery_code';

/** The input attributes that make a field fit its code: keyboard, autofill, what it lets through. */
export interface CodeInputAttributes {
  inputMode: 'numeric' | 'text';
  /** `one-time-code` lets phones offer a code from an SMS or an authenticator; a recovery code is typed from paper. */
  autoComplete: 'one-time-code' | 'off';
  autoCapitalize: 'off' | 'characters';
  spellCheck: false;
  /** The HTML `pattern` (the browser anchors it and compiles it with the `v` flag). */
  pattern: string;
  maxLength: number;
}

// Spaces and dashes are allowed between groups: people copy `123 456` and `ABCDE-FGHJK` as shown.
// The server strips them (`stripCodeSeparators`), so the field must let them through.
const separators = ' \\-';

/** The alphabet in both cases: recovery codes are matched case-insensitively. */
const recoveryCodeCharacters = [...new Set(recoveryCodeAlphabet + recoveryCodeAlphabet.toLowerCase())].join('');

const attributesByKind: Readonly<Record<CodeKind, CodeInputAttributes>> = {
  totp: {
    inputMode: 'numeric',
    autoComplete: 'one-time-code',
    autoCapitalize: 'off',
    spellCheck: false,
    pattern: `[0-9${separators}]*`,
    maxLength: totpCodeInputMaxLength,
  },
  recovery_code: {
    inputMode: 'text',
    autoComplete: 'off',
    autoCapitalize: 'characters',
    spellCheck: false,
    pattern: `[${recoveryCodeCharacters}${separators}]*`,
    maxLength: recoveryCodeInputMaxLength,
  },
};

/** Derived from the formats in @holdfast/validators, so the field and the server agree on what a code is. */
export function codeInputAttributes(kind: CodeKind): CodeInputAttributes {
  return attributesByKind[kind];
}
