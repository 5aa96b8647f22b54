import { HoldfastError } from '../errors';
import { constantTimeEqual } from '../crypto/constant-time-equal';
import { readRandomBytes } from '../random';
import type { RandomSource } from '../types';

/**
 * Number matching (NIST SP 800-63B-4): the login screen shows a short number and the user TYPES it
 * into the paired device. That transfers a secret from the screen the attacker does not see to the
 * device, which a bare "Approve" button (or "press the matching one of three") does not: a fatigued
 * user tapping Approve on an attacker's push cannot know the attacker's number.
 */

/** Microsoft Authenticator shows 2 digits; Duo Verified Push 3. */
export const defaultPushNumberDigits = 2;
export const minPushNumberDigits = 2;
export const maxPushNumberDigits = 3;

/**
 * Longest typed answer considered at all (after removing spaces). Anything longer is wrong anyway;
 * the bound keeps the fixed-width compare fixed and stops a pasted megabyte from being processed.
 */
const maxTypedLength = 8;

/** Two bytes per draw: 65 536 outcomes, so at most 736 / 65 536 (~1.1 %) of draws are rejected. */
const drawBytes = 2;
const drawSpace = 2 ** (8 * drawBytes);

/** A broken source (constant output in the rejected zone) must fail loudly, never loop forever. */
const maxDraws = 64;

/**
 * The number for the login screen: `digits` digits with no leading zero (10–99 or 100–999), so what
 * is shown and what a user types are the same text and a screen reader says "forty-seven", not
 * "zero seven". A guess succeeds with probability 1/90 (2 digits) or 1/900 (3 digits); a wrong
 * number denies the transaction (push-transaction.ts), so a bot gets one guess per push.
 *
 * Drawn by rejection sampling: `value % count` over 65 536 would favour the low numbers
 * (65 536 = 728 × 90 + 16), so values at or above the largest multiple of the range are drawn again.
 */
export function generatePushNumber({ random, digits = defaultPushNumberDigits }: { random: RandomSource; digits?: number }): string {
  if (!Number.isInteger(digits) || digits < minPushNumberDigits || digits > maxPushNumberDigits) {
    throw new HoldfastError('BAD_REQUEST', `A push number has ${minPushNumberDigits} to ${maxPushNumberDigits} digits`);
  }
  const low = 10 ** (digits - 1);
  const count = 10 ** digits - low;
  const acceptBelow = drawSpace - (drawSpace % count);
  for (let draw = 0; draw < maxDraws; draw += 1) {
    const bytes = readRandomBytes({ random, size: drawBytes });
    const value = ((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0);
    if (value < acceptBelow) {
      return String(low + (value % count));
    }
  }
  throw new HoldfastError('INTERNAL', 'Random source kept producing rejected push numbers');
}

/**
 * What a user typed, as the digits it means: spaces anywhere are dropped (phones auto-insert them;
 * people type "4 7"), leading zeros are dropped ("047" means 47), and anything that is not an ASCII
 * digit makes it no number at all. Returns null for no number; never throws (this is user input).
 */
export function normalizeTypedPushNumber(typed: unknown): string | null {
  if (typeof typed !== 'string' || typed.length > 4 * maxTypedLength) {
    return null;
  }
  const compact = typed.replace(/\s+/gu, '');
  if (compact.length === 0 || compact.length > maxTypedLength || !/^[0-9]+$/u.test(compact)) {
    return null;
  }
  const withoutLeadingZeros = compact.replace(/^0+/u, '');
  return withoutLeadingZeros === '' ? '0' : withoutLeadingZeros;
}

/**
 * Does the typed text mean the expected number? Both sides are normalised and left-padded to one
 * fixed width before a constant-time compare, so the time taken says nothing about how many digits
 * were right or how long the expected number is. Malformed input on either side is simply no match.
 */
export function isNumberMatch(typed: unknown, expected: string): boolean {
  const typedDigits = normalizeTypedPushNumber(typed);
  const expectedDigits = normalizeTypedPushNumber(expected);
  if (typedDigits === null || expectedDigits === null) {
    return false;
  }
  const encoder = new TextEncoder();
  return constantTimeEqual(encoder.encode(typedDigits.padStart(maxTypedLength, '0')), encoder.encode(expectedDigits.padStart(maxTypedLength, '0')));
}
