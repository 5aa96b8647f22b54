import { HoldfastError } from '../errors';

/** Same bound otplib enforces; longer steps make a stolen code useful for too long. */
const maxPeriodSeconds = 3600;

export function assertValidPeriod(period: number): void {
  if (!Number.isInteger(period) || period < 1 || period > maxPeriodSeconds) {
    throw new HoldfastError('BAD_REQUEST', `TOTP period must be an integer from 1 to ${maxPeriodSeconds} seconds`);
  }
}

/** RFC 6238 §4.2 with T0 = 0: T = floor(unix seconds / period). */
export function timeStepAt({ at, period }: { at: Date; period: number }): number {
  assertValidPeriod(period);
  const millis = at.getTime();
  if (Number.isNaN(millis)) {
    throw new HoldfastError('BAD_REQUEST', 'Invalid time');
  }
  return Math.floor(Math.floor(millis / 1000) / period);
}
