import { describe, expect, it } from 'vitest';
import { buildContentSecurityPolicy, createNonce, strictTransportSecurity, withPageSecurityHeaders } from './content-security-policy';

function directives(policy: string): Map<string, string> {
  return new Map(policy.split('; ').map((directive) => [directive.split(' ')[0] ?? '', directive.slice(directive.indexOf(' ') + 1)]));
}

describe('portal CSP', () => {
  it('allows only nonce-bearing scripts, no plugins, no base tag, no framing', () => {
    const policy = directives(buildContentSecurityPolicy({ nonce: 'abc123', isDevelopment: false }));
    expect(policy.get('script-src')).toBe("'nonce-abc123' 'strict-dynamic'");
    expect(policy.get('object-src')).toBe("'none'");
    expect(policy.get('base-uri')).toBe("'none'");
    expect(policy.get('frame-ancestors')).toBe("'none'");
    expect(buildContentSecurityPolicy({ nonce: 'abc123', isDevelopment: false })).not.toMatch(/unsafe-(inline|eval)/);
  });

  it('adds eval only for next dev', () => {
    expect(directives(buildContentSecurityPolicy({ nonce: 'n', isDevelopment: true })).get('script-src')).toContain("'unsafe-eval'");
  });

  it('names no workers or manifest unless the app is the PWA', () => {
    const policy = directives(buildContentSecurityPolicy({ nonce: 'n', isDevelopment: false }));
    expect(policy.has('worker-src')).toBe(false);
    expect(policy.has('manifest-src')).toBe(false);
  });
});

describe('push app content security policy', () => {
  it('allows only nonce scripts, same-origin workers and manifest, and no framing', () => {
    const policy = buildContentSecurityPolicy({ nonce: 'abc', isDevelopment: false, isPwa: true });
    const directives = new Map(policy.split('; ').map((directive) => [directive.split(' ')[0], directive]));
    expect(directives.get('script-src')).toBe("script-src 'nonce-abc' 'strict-dynamic'");
    expect(directives.get('worker-src')).toBe("worker-src 'self'");
    expect(directives.get('manifest-src')).toBe("manifest-src 'self'");
    expect(directives.get('connect-src')).toBe("connect-src 'self'");
    expect(directives.get('frame-ancestors')).toBe("frame-ancestors 'none'");
    expect(policy).not.toContain('unsafe-eval');
    expect(buildContentSecurityPolicy({ nonce: 'abc', isDevelopment: true, isPwa: true })).toContain("'unsafe-eval'");
  });
});

describe('nonce', () => {
  it('makes a fresh 128-bit nonce each time', () => {
    const nonces = new Set(Array.from({ length: 100 }, () => createNonce()));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) {
      expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
      expect(atob(nonce)).toHaveLength(16);
    }
  });
});

describe("page security headers (the apps' proxies)", () => {
  function run(options: { isLocalhost: boolean; isPwa?: boolean }) {
    let forwarded = new Headers();
    const response = withPageSecurityHeaders({
      requestHeaders: new Headers({ cookie: 'a=b' }),
      isDevelopment: false,
      ...options,
      next: (requestHeaders) => {
        forwarded = requestHeaders;
        return { headers: new Headers() };
      },
    });
    return { forwarded, response };
  }

  it('hands the nonce and the policy to the renderer and puts the same policy on the response', () => {
    const { forwarded, response } = run({ isLocalhost: true });
    const nonce = forwarded.get('x-nonce') ?? '';
    expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
    expect(forwarded.get('cookie')).toBe('a=b');
    expect(forwarded.get('content-security-policy')).toBe(buildContentSecurityPolicy({ nonce, isDevelopment: false }));
    expect(response.headers.get('content-security-policy')).toBe(forwarded.get('content-security-policy'));
    expect(response.headers.has('strict-transport-security')).toBe(false);
  });

  it('adds HSTS outside localhost, and the PWA directives for the PWA', () => {
    const { forwarded, response } = run({ isLocalhost: false, isPwa: true });
    expect(response.headers.get('strict-transport-security')).toBe(strictTransportSecurity);
    expect(response.headers.get('content-security-policy')).toContain("worker-src 'self'");
    expect(forwarded.get('content-security-policy')).toContain("manifest-src 'self'");
  });
});
