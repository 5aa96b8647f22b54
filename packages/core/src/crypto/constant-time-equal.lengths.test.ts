import { describe, expect, it } from 'vitest';

import { constantTimeEqual } from './constant-time-equal';

describe('constantTimeEqual', () => {
  it('answers false for different lengths instead of throwing (a code of the wrong length is just wrong)', () => {
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([]), new Uint8Array([0]))).toBe(false);
  });

  it('compares equal-length bytes by value', () => {
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true);
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false);
  });
});
