import { describe, expect, it } from 'vitest';

import { HoldfastError, errorCodes, isHoldfastError } from './errors';

describe('HoldfastError', () => {
  it('carries its code, the category from the table, and the cause', () => {
    const cause = new Error('db down');
    const error = new HoldfastError('ENROLLMENT_LINK_EXPIRED', 'Enrollment link has expired', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('ENROLLMENT_LINK_EXPIRED');
    expect(error.category).toBe('gone');
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('HoldfastError');
  });

  it('maps every code to its category', () => {
    for (const [code, category] of Object.entries(errorCodes)) {
      expect(new HoldfastError(code as keyof typeof errorCodes, 'x').category).toBe(category);
    }
  });

  it('is recognized by isHoldfastError and plain errors are not', () => {
    expect(isHoldfastError(new HoldfastError('INTERNAL', 'x'))).toBe(true);
    expect(isHoldfastError(new Error('x'))).toBe(false);
    expect(isHoldfastError({ code: 'INTERNAL' })).toBe(false);
  });
});
