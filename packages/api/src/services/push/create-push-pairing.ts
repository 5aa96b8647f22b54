import { readRandomBytes } from '@holdfast/core';
import { hashToken, withTransaction, writeAuditEvent } from '@holdfast/db';
import { randomUUID } from 'node:crypto';
import type { EnrollmentPrincipal, ServiceDeps } from '../../deps';
import { authorizeFactorChange } from '../enrollment/authorize-factor-change';
import { pushSettingsOf } from './push-subscription-store';

/** privacyIDEA's enrollment credential lives 10 minutes; the table's CHECK holds the same bound. */
export const pushPairingTtlMs = 10 * 60_000;
const pairingTokenBytes = 32;

/**
 * The portal's "Add this phone for push": a one-time pairing token (32 random bytes, only its
 * SHA-256 stored) for the enrollment session's user, after the step-up gate every factor addition
 * passes (invariant 11: step-up within 5 minutes once the user has a factor; cap of 10 factors).
 * The link carries the token in its fragment, so it never reaches a server log or a Referer.
 */
export async function createPushPairing(options: { deps: ServiceDeps; enrollment: EnrollmentPrincipal }): Promise<{ pairingUrl: string; expiresAt: Date }> {
  const { deps, enrollment } = options;
  const token = Buffer.from(readRandomBytes({ random: deps.random, size: pairingTokenBytes })).toString('base64url');
  const pairingId = randomUUID();
  const now = deps.clock();
  const expiresAt = new Date(now.getTime() + pushPairingTtlMs);
  // Not retried: a doubtful commit leaves an unused token that expires by itself, and the portal asks again.
  await withTransaction(deps.db.pool, null, async (sql) => {
    const decision = await authorizeFactorChange({ db: sql, enrollment, change: 'add', now });
    await sql.query(
      `INSERT INTO push_pairing_tokens (id, token_hash, application_id, user_id, enrollment_link_id, is_first_binding, expires_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [pairingId, hashToken(token), enrollment.applicationId, enrollment.userId, enrollment.linkId, decision.basis === 'first_binding', expiresAt, now],
    );
    await writeAuditEvent(sql, {
      type: 'push.pairing_created',
      gatewayId: deps.gateway.id,
      region: deps.gateway.region,
      applicationId: enrollment.applicationId,
      userId: enrollment.userId,
      detail: { pairingId, expiresAt: expiresAt.toISOString() },
    });
  });
  return { pairingUrl: `${pushSettingsOf(deps).publicUrl.replace(/\/+$/u, '')}/pair#${token}`, expiresAt };
}
