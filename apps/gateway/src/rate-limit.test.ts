import { describe, expect, it } from 'vitest';
import { FloodShield, TokenBuckets } from './rate-limit';

const goodKey = `hf_${'a'.repeat(16)}_${'A'.repeat(43)}`;
const badKey = `hf_${'b'.repeat(16)}_${'B'.repeat(43)}`;

type Limit = { ratePerSecond: number; burst: number };
/** A shield with the given limits; the failure limit applies per address and per key id alike. */
function shieldWith(limits: { general?: Limit; perIp?: Limit; perKey?: Limit; failures: Limit }, now: () => number): FloodShield {
  return new FloodShield(
    {
      perIp: limits.perIp ?? limits.general ?? { ratePerSecond: 1000, burst: 1000 },
      perKey: limits.perKey ?? limits.general ?? { ratePerSecond: 1000, burst: 1000 },
      failuresPerIp: limits.failures,
      failuresPerKey: limits.failures,
      knownCredentialTtlMs: 60_000,
    },
    now,
  );
}

describe('[FLOOD] token buckets', () => {
  it('admits a burst, then the refill rate, and says when to retry', () => {
    let now = 0;
    const buckets = new TokenBuckets({ ratePerSecond: 2, burst: 3 }, () => now);
    expect([buckets.take('ip'), buckets.take('ip'), buckets.take('ip'), buckets.take('ip')]).toEqual([true, true, true, false]);
    expect(buckets.secondsUntilToken('ip')).toBe(1);
    now += 500;
    expect(buckets.take('ip')).toBe(true);
    expect(buckets.take('ip')).toBe(false);
    expect(buckets.take('other')).toBe(true);
  });

  it('gates unknown API keys on failed authentications, not a credential that worked', () => {
    let now = 0;
    const shield = shieldWith({ general: { ratePerSecond: 1000, burst: 1000 }, failures: { ratePerSecond: 1, burst: 2 } }, () => now);
    const good = shield.check('10.0.0.1', goodKey);
    if (!good.allowed) throw new Error('first request admitted');
    good.ticket.onApiKeyResult(true);
    for (let i = 0; i < 2; i += 1) {
      const bad = shield.check('10.0.0.1', badKey);
      if (!bad.allowed) throw new Error('within the failure burst');
      bad.ticket.onApiKeyResult(false);
    }
    expect(shield.check('10.0.0.1', badKey)).toMatchObject({ allowed: false, bucket: 'failed_auth_ip' });
    // The working key from the same address still gets in; another address is not affected.
    expect(shield.check('10.0.0.1', goodKey).allowed).toBe(true);
    expect(shield.check('10.0.0.2', `hf_${'c'.repeat(16)}_${'C'.repeat(43)}`).allowed).toBe(true);
    // The bad key id is out of failure tokens from any address.
    expect(shield.check('10.0.0.3', badKey)).toMatchObject({ allowed: false, bucket: 'failed_auth_key' });
    // No key on a path that needs one is a failed authentication too; on a public path it is not.
    expect(shield.check('10.0.0.1', null, { requiresApiKey: true })).toMatchObject({ allowed: false, bucket: 'failed_auth_ip' });
    expect(shield.check('10.0.0.1', null, { requiresApiKey: false }).allowed).toBe(true);
    now += 1000;
    expect(shield.check('10.0.0.1', badKey).allowed).toBe(true);
  });

  it('requests in flight on a failing-over database do not drain the failure buckets (found by the primary-kill drill)', () => {
    const shield = shieldWith({ general: { ratePerSecond: 1000, burst: 1000 }, failures: { ratePerSecond: 1, burst: 2 } }, () => 0);
    // A key this gateway has not seen work yet, 20 requests waiting on the database: no verdict.
    const waiting = Array.from({ length: 20 }, () => shield.check('10.0.0.9', goodKey));
    expect(waiting.every((decision) => decision.allowed)).toBe(true);
    // Only definitive failures are charged.
    for (const decision of waiting.slice(0, 2)) if (decision.allowed) decision.ticket.onApiKeyResult(false);
    expect(shield.check('10.0.0.9', goodKey)).toMatchObject({ allowed: false, bucket: 'failed_auth_ip' });
  });

  it('refuses by address and by key id above the general rates', () => {
    const shield = shieldWith(
      { perIp: { ratePerSecond: 1, burst: 2 }, perKey: { ratePerSecond: 1, burst: 3 }, failures: { ratePerSecond: 100, burst: 100 } },
      () => 0,
    );
    expect([shield.check('a', goodKey).allowed, shield.check('a', goodKey).allowed]).toEqual([true, true]);
    expect(shield.check('a', null)).toMatchObject({ allowed: false, bucket: 'ip' });
    expect(shield.check('b', goodKey).allowed).toBe(true);
    expect(shield.check('c', goodKey)).toMatchObject({ allowed: false, bucket: 'key' });
  });
});
