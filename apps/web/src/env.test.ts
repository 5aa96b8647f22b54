import { describe, expect, it } from 'vitest';
import { readWebEnv } from './env';

const secret = 'a-web-session-secret-of-at-least-32-chars';

describe('web env: what "outside localhost" requires', () => {
  it('defaults to localhost in development, with no secret needed', () => {
    expect(readWebEnv({})).toMatchObject({ publicUrl: 'http://localhost:3000', isLocalhost: true, isHttps: false });
  });

  it('requires the public URL under next start (production)', () => {
    expect(() => readWebEnv({ NODE_ENV: 'production' })).toThrow(/HOLDFAST_WEB_PUBLIC_URL: required in production/);
    expect(readWebEnv({ NODE_ENV: 'production', HOLDFAST_WEB_PUBLIC_URL: 'http://localhost:4100' })).toMatchObject({ isLocalhost: true });
  });

  it('outside localhost: https only, and the session secret is required', () => {
    expect(() => readWebEnv({ HOLDFAST_WEB_PUBLIC_URL: 'https://mfa.example.com' })).toThrow(/HOLDFAST_WEB_SESSION_SECRET: required outside localhost/);
    expect(() => readWebEnv({ HOLDFAST_WEB_PUBLIC_URL: 'http://mfa.example.com', HOLDFAST_WEB_SESSION_SECRET: secret })).toThrow(/must be https/);
    expect(readWebEnv({ HOLDFAST_WEB_PUBLIC_URL: 'https://mfa.example.com/', HOLDFAST_WEB_SESSION_SECRET: secret })).toMatchObject({
      publicUrl: 'https://mfa.example.com',
      isLocalhost: false,
      isHttps: true,
    });
  });

  it('never echoes the secret in its error', () => {
    expect(() => readWebEnv({ HOLDFAST_WEB_SESSION_SECRET: 'short-secret-value' })).toThrow(/^(?![\s\S]*short-secret-value)/);
  });
});
