import { describe, expect, it } from 'vitest';
import { buildContentSecurityPolicy, createNonce } from './content-security-policy';

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

  it('makes a fresh 128-bit nonce each time', () => {
    const nonces = new Set(Array.from({ length: 100 }, () => createNonce()));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
  });
});
