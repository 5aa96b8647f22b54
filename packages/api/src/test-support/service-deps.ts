// Service dependencies for tests that call procedures or services in-process (no gateway): the
// same shape a gateway builds, with a throw-away key and the real clock unless a test overrides it.
import { defaultLockoutPolicy, parseKeyring } from '@holdfast/core';
import type { Database } from '@holdfast/db';
import { randomBytes } from 'node:crypto';
import type { ServiceDeps } from '../deps';

export function createTestServiceDeps(db: Database, overrides: Partial<Omit<ServiceDeps, 'db'>> = {}): ServiceDeps {
  return {
    db,
    gateway: { id: 'gw-test', region: 'test' },
    keyring: parseKeyring({ keys: `k1:${randomBytes(32).toString('base64')}`, activeKeyId: 'k1' }),
    random: (size) => new Uint8Array(randomBytes(size)),
    clock: () => new Date(),
    lockoutPolicy: defaultLockoutPolicy,
    totpWindow: 1,
    publicUrl: 'http://localhost:3000',
    issuer: 'Holdfast',
    requestDeadlineMs: 5_000,
    ...overrides,
  };
}
