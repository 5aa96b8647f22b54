import { describe, expect, it } from 'vitest';

import { decideFactorChange, describeStepUp, maxBoundFactorsPerUser, stepUpClockSkewMs, stepUpFreshnessMs, type FactorChange } from './step-up';

const now = new Date('2026-03-01T12:00:00Z');
const ago = (ms: number): Date => new Date(now.getTime() - ms);
const changes: FactorChange[] = ['add', 'replace', 'remove', 'rename'];

describe('step-up binding rule: a link alone changes nothing on an account that has a factor', () => {
  it('lets a user with no bound factor bind the first one without step-up', () => {
    expect(decideFactorChange({ change: 'add', boundFactorCount: 0, steppedUpAt: null, now })).toEqual({ isAllowed: true, basis: 'first_binding' });
    expect(describeStepUp({ boundFactorCount: 0, steppedUpAt: null, now })).toEqual({ status: 'not_needed', validUntil: null });
  });

  it('refuses every kind of change when the user has a factor and the session never stepped up', () => {
    for (const change of changes) {
      expect(decideFactorChange({ change, boundFactorCount: 1, steppedUpAt: null, now })).toMatchObject({ isAllowed: false, code: 'STEP_UP_REQUIRED' });
    }
  });

  it('allows every kind of change within five minutes of a step-up, and none after', () => {
    for (const change of changes) {
      expect(decideFactorChange({ change, boundFactorCount: 2, steppedUpAt: ago(0), now })).toEqual({ isAllowed: true, basis: 'stepped_up' });
      expect(decideFactorChange({ change, boundFactorCount: 2, steppedUpAt: ago(stepUpFreshnessMs - 1), now })).toMatchObject({ isAllowed: true });
      expect(decideFactorChange({ change, boundFactorCount: 2, steppedUpAt: ago(stepUpFreshnessMs), now })).toMatchObject({
        isAllowed: false,
        code: 'STEP_UP_REQUIRED',
      });
    }
    expect(describeStepUp({ boundFactorCount: 1, steppedUpAt: ago(60_000), now })).toEqual({
      status: 'fresh',
      validUntil: new Date(now.getTime() - 60_000 + stepUpFreshnessMs),
    });
  });

  it('does not trust a step-up recorded far in the future (beyond clock skew)', () => {
    const future = (ms: number): Date => new Date(now.getTime() + ms);
    expect(decideFactorChange({ change: 'add', boundFactorCount: 1, steppedUpAt: future(stepUpClockSkewMs), now })).toMatchObject({ isAllowed: true });
    expect(decideFactorChange({ change: 'add', boundFactorCount: 1, steppedUpAt: future(stepUpClockSkewMs + 1), now })).toMatchObject({
      isAllowed: false,
      code: 'STEP_UP_REQUIRED',
    });
  });

  it('caps bound factors: adding is refused at the cap, replacing, removing and renaming are not', () => {
    const full = { boundFactorCount: maxBoundFactorsPerUser, steppedUpAt: ago(1000), now };
    expect(decideFactorChange({ ...full, change: 'add' })).toMatchObject({ isAllowed: false, code: 'FACTOR_LIMIT_REACHED' });
    expect(decideFactorChange({ ...full, boundFactorCount: maxBoundFactorsPerUser - 1, change: 'add' })).toMatchObject({ isAllowed: true });
    for (const change of ['replace', 'remove', 'rename'] as const) expect(decideFactorChange({ ...full, change })).toMatchObject({ isAllowed: true });
    expect(decideFactorChange({ change: 'add', boundFactorCount: 3, steppedUpAt: ago(1000), now, maxFactors: 3 })).toMatchObject({
      code: 'FACTOR_LIMIT_REACHED',
    });
  });

  it('asks for step-up before telling an unverified session about the cap', () => {
    expect(decideFactorChange({ change: 'add', boundFactorCount: maxBoundFactorsPerUser, steppedUpAt: null, now })).toMatchObject({
      code: 'STEP_UP_REQUIRED',
    });
  });
});
