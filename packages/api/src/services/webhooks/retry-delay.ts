import { readRandomBytes, type RandomSource } from '@holdfast/core';

/** Attempts per delivery before it is `failed` (a manual redelivery grants as many again). */
export const webhookAttemptLimit = 8;

/**
 * Wait after failed attempt n, in units of the base (10 s by default): 10 s, 30 s, 2 min, 10 min,
 * 1 h, 3 h, 6 h — about ten hours in all, long enough to ride out a receiver's deploy or outage.
 */
const delayFactors = [1, 3, 12, 60, 360, 1080, 2160] as const;

/**
 * How long to wait before the next attempt, with ±20 % jitter so deliveries that failed together
 * (the receiver was down) do not all come back at the same instant.
 */
export function webhookRetryDelayMs(options: { failedAttempt: number; baseMs: number; random: RandomSource }): number {
  const index = Math.min(Math.max(options.failedAttempt, 1), delayFactors.length) - 1;
  const factor = delayFactors[index] ?? delayFactors[6];
  const [high = 0, low = 0] = readRandomBytes({ random: options.random, size: 2 });
  const unit = ((high << 8) | low) / 0xffff; // 0 … 1
  return Math.round(options.baseMs * factor * (0.8 + 0.4 * unit));
}
