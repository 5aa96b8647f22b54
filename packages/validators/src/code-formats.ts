import { z } from 'zod';

// The formats of what people type: TOTP codes and recovery codes. The wire schemas (`totpCode`,
// `recoveryCode`) are what the gateway accepts; the `typed…` schemas accept what a person types
// or pastes into a form (spaces and dashes included) and produce the wire form.

/** Spaces and dashes people type or paste between groups of a code (`123 456`, `ABCDE-FGHJK`). */
const codeSeparators = /[\s-]/g;

/** Drops the spaces and dashes a person typed between groups of a code. */
export function stripCodeSeparators(input: string): string {
  return input.replace(codeSeparators, '');
}

/** The code lengths every mainstream authenticator app supports (RFC 6238 allows 6 to 8). */
export const totpDigitOptions = [6, 8] as const;
export type TotpDigits = (typeof totpDigitOptions)[number];
export const totpDigits = z.union([z.literal(6), z.literal(8)]);

/** A TOTP code on the wire: exactly 6 or 8 ASCII digits, nothing else. */
export const totpCodePattern = new RegExp(totpDigitOptions.map((digits) => `^\\d{${digits}}$`).join('|'));

export function isWellFormedTotpCode(code: string): boolean {
  return totpCodePattern.test(code);
}

export const totpCode = z.string().regex(totpCodePattern, 'a 6- or 8-digit code');

/** A TOTP code as typed into a form: separators dropped, then the wire format. */
export const typedTotpCode = z.string().transform(stripCodeSeparators).pipe(totpCode);

/**
 * The longest typed TOTP code a form field takes: 8 digits grouped in pairs with one separator
 * between groups (`12 34 56 78`), the widest grouping an app or a paste produces.
 */
export const totpCodeInputMaxLength = Math.max(...totpDigitOptions) + Math.max(...totpDigitOptions) / 2 - 1;

/**
 * Crockford-like alphabet without 0/O and 1/I, which users misread when typing from paper.
 * 32 symbols = exactly 5 bits each, so `byte & 31` selects uniformly with no modulo bias.
 */
export const recoveryCodeAlphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/**
 * 10 symbols × 5 bits = 50 bits per code: above NIST 800-63B's 20-bit floor for look-up secrets,
 * and below its 64-bit mark, so verification must stay behind the lockout policy.
 */
export const recoveryCodeLength = 10;

/** Codes are printed as two groups (`ABCDE-FGHJK`): easier to copy by hand than ten symbols in a row. */
export const recoveryCodeGroupLength = recoveryCodeLength / 2;

/** A recovery code in canonical form: ten symbols of the alphabet, upper case, no separators. */
export const recoveryCodeCanonicalPattern = new RegExp(`^[${recoveryCodeAlphabet}]{${recoveryCodeLength}}$`);

/**
 * The bounds of a recovery code as sent: at least the ten symbols, at most 32 characters so a
 * code with generous spacing still fits while a pasted paragraph is refused before hashing.
 * Whether it is well formed is decided after normalization (case, separators), by core.
 */
export const recoveryCodeInputMinLength = recoveryCodeLength;
export const recoveryCodeInputMaxLength = 32;

export const recoveryCode = z.string().min(recoveryCodeInputMinLength).max(recoveryCodeInputMaxLength);

/** A recovery code as typed into a form: surrounding whitespace dropped, then the wire bounds. */
export const typedRecoveryCode = z.string().trim().pipe(recoveryCode);

/**
 * A one-time bypass code an admin reads to a user (issue 13): 12 symbols of the recovery alphabet =
 * 60 bits, printed as three groups of four (`ABCD-EFGH-JKLM`). Above the 50-bit floor the console
 * promises; it lives at most 24 hours, works once, and is checked behind the lockout policy.
 */
export const bypassCodeLength = 12;
export const bypassCodeGroupLength = 4;
export const bypassCodeCanonicalPattern = new RegExp(`^[${recoveryCodeAlphabet}]{${bypassCodeLength}}$`);
/** As sent: case, spaces and dashes are normalized by core; a pasted paragraph is refused before hashing. */
export const bypassCode = z.string().min(bypassCodeLength).max(32);
