import { describe, expect, it } from 'vitest';
import { buildPushContentSecurityPolicy, createNonce } from './content-security-policy';

describe('push app content security policy', () => {
  it('allows only nonce scripts, same-origin workers and manifest, and no framing', () => {
    const policy = buildPushContentSecurityPolicy({ nonce: 'abc', isDevelopment: false });
    const directives = new Map(policy.split('; ').map((directive) => [directive.split(' ')[0], directive]));
    expect(directives.get('script-src')).toBe("script-src 'nonce-abc' 'strict-dynamic'");
    expect(directives.get('worker-src')).toBe("worker-src 'self'");
    expect(directives.get('manifest-src')).toBe("manifest-src 'self'");
    expect(directives.get('connect-src')).toBe("connect-src 'self'");
    expect(directives.get('frame-ancestors')).toBe("frame-ancestors 'none'");
    expect(policy).not.toContain('unsafe-eval');
    expect(buildPushContentSecurityPolicy({ nonce: 'abc', isDevelopment: true })).toContain("'unsafe-eval'");
  });

  it('makes a fresh 128-bit nonce each time', () => {
    const nonce = createNonce();
    expect(atob(nonce)).toHaveLength(16);
    expect(createNonce()).not.toBe(nonce);
  });
});
