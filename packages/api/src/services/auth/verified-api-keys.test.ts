import { generateApiKey, parseApiKey } from '@holdfast/db';
import { describe, expect, it } from 'vitest';
import { recallVerifiedApiKey, rememberVerifiedApiKey } from './verified-api-keys';

describe('verified API keys (attribution of refusals during a database outage)', () => {
  const app = '0190a0b0-0000-7000-8000-000000000001';

  it('names the application of a bearer verified here, and only with its secret', () => {
    const { keyId, apiKey, secretHash } = generateApiKey();
    expect(recallVerifiedApiKey(apiKey)).toBeNull();
    rememberVerifiedApiKey(keyId, app, secretHash, 1_000);
    expect(recallVerifiedApiKey(apiKey, 2_000)).toBe(app);
    const other = parseApiKey(generateApiKey().apiKey);
    expect(recallVerifiedApiKey(`hf_${keyId}_${other?.secret ?? ''}`, 2_000)).toBeNull();
    expect(recallVerifiedApiKey(null, 2_000)).toBeNull();
    expect(recallVerifiedApiKey('not a key', 2_000)).toBeNull();
  });

  it('forgets a key ten minutes after it was last verified', () => {
    const { keyId, apiKey, secretHash } = generateApiKey();
    rememberVerifiedApiKey(keyId, app, secretHash, 0);
    expect(recallVerifiedApiKey(apiKey, 10 * 60_000)).toBe(app);
    expect(recallVerifiedApiKey(apiKey, 10 * 60_000 + 1)).toBeNull();
  });
});
