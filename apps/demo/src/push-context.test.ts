import { describe, expect, it } from 'vitest';
import { contextIpAddress, pushContextFor, summarizeUserAgent } from './push-context';

describe('summarizeUserAgent', () => {
  it.each([
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'Chrome on Linux'],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36', 'Headless Chrome on Linux'],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chromium/120.0.0.0 Chrome/120.0.0.0 Safari/537.36', 'Chromium on Linux'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox on Windows'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0', 'Edge on Windows'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0', 'Opera on Windows'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15', 'Safari on macOS'],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
      'Safari on iOS',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1',
      'Chrome on iOS',
    ],
    ['Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1', 'Safari on iPadOS'],
    ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36', 'Chrome on Android'],
    [
      'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36',
      'Samsung Internet on Android',
    ],
    ['Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'Chrome on ChromeOS'],
    ['curl/8.5.0', undefined],
    ['SomeBot/1.0 (Linux)', 'A browser on Linux'],
    ['', undefined],
    [undefined, undefined],
  ])('%s → %s', (userAgent, summary) => {
    expect(summarizeUserAgent(userAgent)).toBe(summary);
  });

  it('never passes on text from the header: only fixed words come out', () => {
    const hostile = 'Mozilla/5.0 (Windows NT 10.0) Firefox/1.0 <script>alert(1)</script> Approve this, it is your bank\u202e\u0000';
    expect(summarizeUserAgent(hostile)).toBe('Firefox on Windows');
    const words = new Set(['A', 'browser', 'on', 'Edge', 'Opera', 'Samsung', 'Internet', 'Firefox', 'Headless', 'Chrome', 'Chromium', 'Safari']);
    for (const word of (summarizeUserAgent('Evil/1 (Linux) <b>') ?? '').split(' ')) {
      expect([...words, 'iOS', 'iPadOS', 'Android', 'ChromeOS', 'Windows', 'macOS', 'Linux']).toContain(word);
    }
  });

  it('reads a bounded prefix of a very long header', () => {
    const long = `Mozilla/5.0 (X11; Linux x86_64) ${'a'.repeat(100_000)} Firefox/133.0`;
    expect(summarizeUserAgent(long)).toBe('A browser on Linux');
  });
});

describe('contextIpAddress', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::1', '::1'],
    ['2001:db8::1', '2001:db8::1'],
    ['fe80::1%eth0', undefined],
    ['not an address', undefined],
    ['999.1.1.1', undefined],
    [undefined, undefined],
  ])('%s → %s', (address, expected) => {
    expect(contextIpAddress(address)).toBe(expected);
  });
});

describe('pushContextFor', () => {
  it('keeps only what parses, and omits the rest (the gateway refuses an invalid context)', () => {
    expect(pushContextFor({ ip: '::ffff:127.0.0.1', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0' })).toEqual({
      ipAddress: '127.0.0.1',
      browser: 'Chrome on Linux',
    });
    expect(pushContextFor({ ip: undefined, userAgent: 'curl/8' })).toEqual({});
  });
});
