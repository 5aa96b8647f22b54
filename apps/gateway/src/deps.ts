import { AuditStreamSignals, MetadataCache, PushStatusSignals, type ServiceDeps } from '@holdfast/api';
import { bufferedRandomSource, parseKeyring, validateLockoutPolicy, type LockoutPolicy } from '@holdfast/core';
import { createDatabase } from '@holdfast/db';
import { randomFillSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { GatewayEnv } from './env';

/** Builds the services' dependencies from validated configuration: real clock, real randomness. */
export function createServiceDeps(env: GatewayEnv, log: (event: string, fields?: Record<string, unknown>) => void): ServiceDeps {
  const lockoutPolicy: LockoutPolicy = {
    threshold: env.HOLDFAST_LOCKOUT_THRESHOLD,
    lockSeconds: env.HOLDFAST_LOCKOUT_SECONDS,
    hardLimit: env.HOLDFAST_LOCKOUT_HARD_LIMIT,
    accountHardLimit: env.HOLDFAST_ACCOUNT_LOCKOUT_THRESHOLD,
  };
  validateLockoutPolicy(lockoutPolicy);
  return {
    db: createDatabase({
      url: env.DATABASE_URL.split(','),
      statementTimeoutMs: env.HOLDFAST_REQUEST_DEADLINE_MS,
      onEndpointChange: ({ from, to }) => {
        log('db_endpoint_changed', { from, to });
      },
      poolMax: env.HOLDFAST_DB_POOL_MAX,
      applicationName: `holdfast-${env.HOLDFAST_GATEWAY_ID}`,
      onPoolError: (error) => {
        log('db_pool_error', { message: error.message });
      },
    }),
    gateway: { id: env.HOLDFAST_GATEWAY_ID, region: env.HOLDFAST_REGION },
    keyring: parseKeyring({ keys: env.HOLDFAST_ENCRYPTION_KEYS, activeKeyId: env.HOLDFAST_ACTIVE_KEY_ID }),
    random: bufferedRandomSource(randomFillSync),
    clock: () => new Date(),
    lockoutPolicy,
    totpWindow: env.HOLDFAST_TOTP_WINDOW,
    publicUrl: env.HOLDFAST_PUBLIC_URL,
    issuer: env.HOLDFAST_ISSUER,
    requestDeadlineMs: env.HOLDFAST_REQUEST_DEADLINE_MS,
    // One line per request that had to ride out a database problem: what it met and how long it took.
    onRetried: (event) => {
      log('db_retried', { ...event, errors: [...new Set(event.errors)] });
    },
    push: {
      publicUrl: env.HOLDFAST_PUSH_PUBLIC_URL,
      vapidSubject: env.HOLDFAST_PUSH_VAPID_SUBJECT,
      serviceHosts: env.HOLDFAST_PUSH_SERVICE_HOSTS.split(','),
      ...(env.HOLDFAST_PUSH_CA_FILE === undefined ? {} : { ca: readFileSync(env.HOLDFAST_PUSH_CA_FILE, 'utf8') }),
    },
    // The cache's listener connection also wakes push long-polls and audit streams; without it they re-read on a short timer.
    ...(env.HOLDFAST_CACHE_TTL_MS > 0
      ? { cache: new MetadataCache(env.HOLDFAST_CACHE_TTL_MS), pushSignals: new PushStatusSignals(), auditSignals: new AuditStreamSignals() }
      : {}),
  };
}
