import { describe, expect, it } from 'vitest';
import { isSigningKeyPublished, planSigningKeyRotation, type SigningKeyPolicy, type SigningKeyState } from './signing-key-rotation';

const minute = 60_000;
const policy: SigningKeyPolicy = { rotateAfterMs: 60 * minute, publicationDelayMs: 10 * minute, tokenLifetimeMs: 6 * minute };
const t0 = new Date('2026-11-28T12:00:00Z');
const at = (minutes: number): Date => new Date(t0.getTime() + minutes * minute);

function key(kid: string, fields: Partial<SigningKeyState> = {}): SigningKeyState {
  return { kid, isActive: false, createdAt: t0, activateAfter: t0, retiredAt: null, publishUntil: null, ...fields };
}

describe('signing-key rotation plan', () => {
  it('creates the first key active, then nothing until the key is due', () => {
    expect(planSigningKeyRotation({ keys: [], now: t0, policy })).toMatchObject({ create: { role: 'active' }, activate: null, remove: [], isEmpty: false });
    const active = key('a', { isActive: true });
    expect(planSigningKeyRotation({ keys: [active], now: at(59), policy })).toMatchObject({ isEmpty: true });
  });

  it('publishes the successor ahead of use: created next, activated only after the publication delay', () => {
    const active = key('a', { isActive: true });
    expect(planSigningKeyRotation({ keys: [active], now: at(60), policy }).create).toEqual({ role: 'next', activateAfter: at(70) });
    const next = key('b', { createdAt: at(60), activateAfter: at(70) });
    // Published, not signing: no second successor, no activation yet.
    expect(planSigningKeyRotation({ keys: [active, next], now: at(69), policy })).toMatchObject({ isEmpty: true });
    expect(isSigningKeyPublished(next, at(60))).toBe(true);
    expect(planSigningKeyRotation({ keys: [active, next], now: at(70), policy })).toMatchObject({
      create: null,
      activate: { kid: 'b', retireKid: 'a', publishUntil: at(76) },
    });
  });

  it('keeps a retired key published until its last token expired, then removes it', () => {
    const retired = key('a', { retiredAt: at(70), publishUntil: at(76) });
    const active = key('b', { isActive: true, createdAt: at(60), activateAfter: at(70) });
    expect(isSigningKeyPublished(retired, at(75))).toBe(true);
    expect(planSigningKeyRotation({ keys: [retired, active], now: at(75), policy })).toMatchObject({ isEmpty: true });
    expect(isSigningKeyPublished(retired, at(76))).toBe(false);
    expect(planSigningKeyRotation({ keys: [retired, active], now: at(76), policy })).toMatchObject({ remove: ['a'], create: null, activate: null });
  });

  it('with no active key but a published next one, waits for it rather than signing with an unpublished key', () => {
    const next = key('b', { activateAfter: at(10) });
    expect(planSigningKeyRotation({ keys: [next], now: at(5), policy })).toMatchObject({ isEmpty: true });
    expect(planSigningKeyRotation({ keys: [next], now: at(10), policy }).activate).toEqual({ kid: 'b', retireKid: null, publishUntil: at(16) });
  });
});
