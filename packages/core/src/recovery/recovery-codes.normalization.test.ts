import { describe, expect, it } from 'vitest';

import { normalizeRecoveryCode } from './recovery-code-format';

describe('recovery code normalization', () => {
  it.each([
    ['ABCDE-FGHJK', 'ABCDEFGHJK'],
    ['abcde-fghjk', 'ABCDEFGHJK'],
    ['  abcde fghjk  ', 'ABCDEFGHJK'],
    ['ABCDEFGHJK', 'ABCDEFGHJK'],
    ['a-b-c-d-e-f-g-h-j-k', 'ABCDEFGHJK'],
    ['23456\t789AB', '23456789AB'],
  ])('normalizes %j to %s', (input, canonical) => {
    expect(normalizeRecoveryCode(input)).toBe(canonical);
  });

  it.each(['', 'ABCDE-FGHJ', 'ABCDE-FGHJKL', 'ABCDE-FGHJ0', 'ABCDE-FGHJO', 'ABCDE-FGHJ1', 'ABCDE-FGHJI', 'ABCDE_FGHJK', 'ÄBCDE-FGHJK'])(
    'rejects %j',
    (input) => {
      expect(normalizeRecoveryCode(input)).toBeNull();
    },
  );
});
