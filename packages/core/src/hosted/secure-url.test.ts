import { describe, expect, it } from 'vitest';
import { isLoopbackUrl, isSecureOrLoopbackUrl } from './secure-url';

describe('secure callback and origin URLs', () => {
  it.each(['https://app.example.com/cb', 'https://app.example.com:8443', 'http://localhost:3000', 'http://127.0.0.1:51234/mfa/cb', 'http://[::1]:3000/'])(
    'accepts %s',
    (url) => {
      expect(isSecureOrLoopbackUrl(url)).toBe(true);
    },
  );
  it.each([
    'http://app.example.com/cb',
    'http://localhost.evil.com/cb',
    'http://127.0.0.1.nip.io/cb',
    'http://10.0.0.1/cb',
    'ftp://localhost/cb',
    'javascript:alert(1)',
    'not a url',
  ])('refuses %s', (url) => {
    expect(isSecureOrLoopbackUrl(url)).toBe(false);
  });
  it('tells loopback hosts apart', () => {
    expect(isLoopbackUrl('https://localhost:3000')).toBe(true);
    expect(isLoopbackUrl('https://portal.example.com')).toBe(false);
  });
});
