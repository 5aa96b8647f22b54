import { describe, expect, it } from 'vitest';

import type { LockoutPolicy } from './lockout';
import { defaultLockoutPolicy, lockAfterFailure } from './lockout';

const now = new Date('2026-03-01T12:00:00Z');

/** A lockout policy comes from operator configuration: each fault gets its own diagnosis. */
describe('lockout policy faults are named', () => {
  it.each([
    ['a fractional threshold', { threshold: 2.5, lockSeconds: 60, hardLimit: 100 }, 'Lockout policy values must be integers'],
    ['a fractional hard limit', { threshold: 10, lockSeconds: 60, hardLimit: 99.5 }, 'Lockout policy values must be integers'],
    ['fractional lock seconds', { threshold: 10, lockSeconds: 0.5, hardLimit: 100 }, 'Lockout policy values must be integers'],
    ['a threshold above the hard limit', { threshold: 20, lockSeconds: 60, hardLimit: 10 }, 'Lockout policy needs 1 <= threshold <= hardLimit <= 100'],
    ['a hard limit above NIST 800-63B', { threshold: 10, lockSeconds: 60, hardLimit: 101 }, 'Lockout policy needs 1 <= threshold <= hardLimit <= 100'],
    ['lockSeconds 0', { threshold: 10, lockSeconds: 0, hardLimit: 100 }, 'Lockout policy lockSeconds must be at least 1'],
  ])('%s', (_name, policy: LockoutPolicy, message) => {
    expect(() => lockAfterFailure({ failedCount: 1, policy, now })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST', message }));
  });

  it('a failure count that is not a positive integer is INTERNAL (the store counted wrong)', () => {
    expect(() => lockAfterFailure({ failedCount: 0, policy: defaultLockoutPolicy, now })).toThrow(
      expect.objectContaining({ code: 'INTERNAL', message: 'Failed attempt count must be a positive integer' }),
    );
  });
});
