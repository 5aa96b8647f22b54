import { describe, expect, it } from 'vitest';
import { readPushEnv } from './env';

describe('push app env', () => {
  it('requires the gateway list, and splits it preferred first', () => {
    expect(() => readPushEnv({})).toThrow(/HOLDFAST_GATEWAY_URLS/);
    const env = readPushEnv({ HOLDFAST_GATEWAY_URLS: 'http://127.0.0.1:4000/, http://127.0.0.1:4001' });
    expect(env.HOLDFAST_GATEWAY_URLS).toEqual(['http://127.0.0.1:4000', 'http://127.0.0.1:4001']);
    expect(env.publicUrl).toBe('http://localhost:3002');
    expect(env.isLocalhost).toBe(true);
  });

  it('refuses a plain-http public URL outside localhost (no service worker, no push, no WebCrypto there)', () => {
    expect(() => readPushEnv({ HOLDFAST_GATEWAY_URLS: 'https://gw.example.com', HOLDFAST_PUSH_PUBLIC_URL: 'http://push.example.com' })).toThrow(
      /must be https outside localhost/,
    );
    const env = readPushEnv({ HOLDFAST_GATEWAY_URLS: 'https://gw.example.com', HOLDFAST_PUSH_PUBLIC_URL: 'https://push.example.com/' });
    expect(env.publicUrl).toBe('https://push.example.com');
    expect(env.isLocalhost).toBe(false);
  });
});
