import { describe, expect, it } from 'vitest';
import { readAdminEnv } from './env';

const secret = 'x'.repeat(40);

describe('admin console env', () => {
  it('defaults to localhost:3003 over http in development, without a secret', () => {
    const env = readAdminEnv({});
    expect(env).toMatchObject({ publicUrl: 'http://localhost:3003', isLocalhost: true, isHttps: false, port: 3003 });
    expect(env.HOLDFAST_GATEWAY_URLS).toEqual(['http://127.0.0.1:4000']);
  });

  it("follows HOLDFAST_ADMIN_PORT and splits HOLDFAST_GATEWAY_URLS (the portal's variable)", () => {
    const env = readAdminEnv({ HOLDFAST_ADMIN_PORT: '3999', HOLDFAST_GATEWAY_URLS: 'http://127.0.0.1:1/, http://127.0.0.1:2' });
    expect(env.publicUrl).toBe('http://localhost:3999');
    expect(env.HOLDFAST_GATEWAY_URLS).toEqual(['http://127.0.0.1:1', 'http://127.0.0.1:2']);
  });

  it('requires the public URL under next start', () => {
    expect(() => readAdminEnv({ NODE_ENV: 'production' })).toThrow(/HOLDFAST_ADMIN_PUBLIC_URL: required in production/);
  });

  it('refuses http and a missing session secret outside localhost, and never echoes the secret', () => {
    expect(() => readAdminEnv({ HOLDFAST_ADMIN_PUBLIC_URL: 'http://admin.example.com' })).toThrow(/must be https outside localhost/);
    expect(() => readAdminEnv({ HOLDFAST_ADMIN_PUBLIC_URL: 'https://admin.example.com' })).toThrow(/HOLDFAST_ADMIN_SESSION_SECRET: required outside localhost/);
    const short = 'short-secret-value';
    expect(() => readAdminEnv({ HOLDFAST_ADMIN_PUBLIC_URL: 'https://admin.example.com', HOLDFAST_ADMIN_SESSION_SECRET: short })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(short) as unknown }) as Error,
    );
    expect(readAdminEnv({ HOLDFAST_ADMIN_PUBLIC_URL: 'https://admin.example.com', HOLDFAST_ADMIN_SESSION_SECRET: secret })).toMatchObject({
      isHttps: true,
      isLocalhost: false,
    });
  });
});
