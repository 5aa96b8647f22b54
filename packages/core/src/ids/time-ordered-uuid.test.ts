import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { timeOrderedUuid } from './time-ordered-uuid';

const random = (size: number): Uint8Array => new Uint8Array(randomBytes(size));

describe('timeOrderedUuid', () => {
  it('is a version 7, variant 10 UUID carrying the milliseconds', () => {
    const now = new Date('2026-11-28T22:40:00.123Z');
    const id = timeOrderedUuid({ now, random });
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(now.getTime());
  });

  it('sorts by time, as text and as Postgres compares uuids (bytewise)', () => {
    const ids = [0, 1, 2, 1000, 86_400_000].map((offset) => timeOrderedUuid({ now: new Date(1_800_000_000_000 + offset), random }));
    expect([...ids].sort()).toEqual(ids);
  });

  it('keeps the random bits random', () => {
    const now = new Date();
    expect(new Set(Array.from({ length: 100 }, () => timeOrderedUuid({ now, random }))).size).toBe(100);
  });

  it('refuses a short random source', () => {
    expect(() => timeOrderedUuid({ now: new Date(), random: () => new Uint8Array(8) })).toThrow();
  });
});
