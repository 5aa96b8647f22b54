import { describe, expect, it } from 'vitest';
import { recoveryEvery } from './load';

describe('the drill load mix', () => {
  it('[LOAD_MIX] keeps one recovery code in ten while the seeded codes last the whole load', () => {
    // region-down's default: 20/s for 45 s = 900 requests, 90 recovery codes of the 200 seeded.
    expect(recoveryEvery({ ratePerSecond: 20, durationMs: 45_000, codes: 200 })).toBe(10);
  });

  it('[LOAD_MIX] spreads the codes over a soak instead of spending them all in its first seconds', () => {
    const every = recoveryEvery({ ratePerSecond: 149, durationMs: 600_000, codes: 200 });
    expect(every).toBe(447);
    // The last code goes out no earlier than the load's last second.
    expect((200 * every) / 149).toBeGreaterThanOrEqual(599);
  });

  it('[LOAD_MIX] sends none when no user holds recovery codes', () => {
    expect(recoveryEvery({ ratePerSecond: 150, durationMs: 60_000, codes: 0 })).toBe(Number.POSITIVE_INFINITY);
  });
});
