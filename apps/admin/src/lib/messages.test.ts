import { describe, expect, it } from 'vitest';
import { describeAdminError, describeConsoleError, describeWait } from './messages';

describe('sign-in messages', () => {
  it('says one thing for every failed password sign-in', () => {
    expect(describeAdminError('ADMIN_SIGN_IN_FAILED', { stage: 'password' })).toBe('The email or password is not right. Check both and try again.');
  });

  it('tells how long a lock lasts', () => {
    expect(describeAdminError('ADMIN_LOCKED', { stage: 'password', retryAfterSeconds: 600 })).toContain('Try again in 10 minutes.');
    expect(describeAdminError('ADMIN_LOCKED', { stage: 'factor', retryAfterSeconds: 1 })).toContain('Try again in 1 second.');
    expect(describeWait(61)).toBe('2 minutes');
  });
});

describe('describeConsoleError', () => {
  it('says refusals in words, and an unknown code as nothing changed', () => {
    expect(describeConsoleError('ADMIN_FORBIDDEN', { topic: 'users' })).toMatch(/role does not allow/);
    expect(describeConsoleError('RATE_LIMITED', { topic: 'applications', retryAfterSeconds: 90 })).toContain('2 minutes');
    expect(describeConsoleError('SOMETHING_NEW', { topic: 'users' })).toMatch(/Nothing was changed/);
  });
});
