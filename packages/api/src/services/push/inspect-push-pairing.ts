import { HoldfastError } from '@holdfast/core';
import { hashToken, withDatabaseRetry } from '@holdfast/db';
import type { ServiceDeps } from '../../deps';

/**
 * What the PWA shows before pairing ("Pair this phone with <application> for <user>?"): a read,
 * nothing redeemed. Unknown, expired and used tokens get one answer, PUSH_PAIRING_INVALID.
 */
export async function inspectPushPairing(options: {
  deps: ServiceDeps;
  pairingToken: string;
  signal?: AbortSignal;
}): Promise<{ applicationName: string; userId: string; expiresAt: Date }> {
  const { deps } = options;
  const row = await withDatabaseRetry(
    deps,
    async () =>
      (
        await deps.db.pool.query<{ application_name: string; external_id: string; expires_at: Date }>(
          `SELECT a.name AS application_name, u.external_id, t.expires_at
             FROM push_pairing_tokens t JOIN users u ON u.id = t.user_id JOIN applications a ON a.id = t.application_id
            WHERE t.token_hash = $1 AND t.redeemed_at IS NULL AND t.expires_at > now()`,
          [hashToken(options.pairingToken)],
        )
      ).rows[0],
    options.signal,
  );
  if (row === undefined) throw new HoldfastError('PUSH_PAIRING_INVALID', 'this pairing link is unknown, expired or already used; ask for a new one');
  return { applicationName: row.application_name, userId: row.external_id, expiresAt: row.expires_at };
}
