import type { Database, SqlClient } from '@holdfast/db';
import { webauthnChallengeTtlMs } from './webauthn-policy';

export type WebauthnCeremony = 'registration' | 'authentication';

/** Stores a fresh challenge server side, bound to application, user and ceremony; returns its id. */
export async function issueWebauthnChallenge(options: {
  sql: SqlClient | Database['pool'];
  applicationId: string;
  userId: string;
  ceremony: WebauthnCeremony;
  challenge: Uint8Array;
}): Promise<string> {
  // The user's expired challenges go as new ones come, so the table stays small without a sweeper.
  // (Consumed ones stay until they expire, so an answer replayed meanwhile is told apart as a replay.)
  await options.sql.query('DELETE FROM webauthn_challenges WHERE user_id = $1 AND expires_at < now()', [options.userId]);
  // Expiry on the database clock, the one clock every gateway shares.
  const { rows } = await options.sql.query<{ id: string }>(
    `INSERT INTO webauthn_challenges (id, application_id, user_id, ceremony, challenge, expires_at)
     VALUES (gen_random_uuid(), $1, $2, $3::webauthn_ceremony, $4, now() + $5 * interval '1 millisecond')
     RETURNING id`,
    [options.applicationId, options.userId, options.ceremony, Buffer.from(options.challenge), webauthnChallengeTtlMs],
  );
  const row = rows[0];
  if (row === undefined) throw new Error('challenge insert returned no row');
  return row.id;
}

export type ConsumedChallenge =
  | { status: 'consumed'; challenge: Buffer }
  /** This challenge was answered before: whatever is presented now is a replay. */
  | { status: 'used' }
  /** Unknown, expired, another user's or application's, or issued for the other ceremony. */
  | { status: 'invalid' };

/**
 * Invariant 5, literally: a challenge is consumed by one compare-and-set on `consumed_at`, only for
 * the ceremony it was issued for, before it expires. Whoever gets the row back owns it; every
 * other answer to it — on any gateway, at any time — finds it consumed.
 */
export async function consumeWebauthnChallenge(options: {
  sql: SqlClient | Database['pool'];
  challengeId: string;
  applicationId: string;
  userId: string;
  ceremony: WebauthnCeremony;
}): Promise<ConsumedChallenge> {
  const bound = [options.challengeId, options.applicationId, options.userId, options.ceremony];
  const consumed = await options.sql.query<{ challenge: Buffer }>(
    `UPDATE webauthn_challenges SET consumed_at = now()
      WHERE id = $1 AND application_id = $2 AND user_id = $3 AND ceremony = $4::webauthn_ceremony
        AND consumed_at IS NULL AND expires_at > now()
      RETURNING challenge`,
    bound,
  );
  const row = consumed.rows[0];
  if (row !== undefined) return { status: 'consumed', challenge: row.challenge };
  const used = await options.sql.query(
    `SELECT 1 FROM webauthn_challenges
      WHERE id = $1 AND application_id = $2 AND user_id = $3 AND ceremony = $4::webauthn_ceremony AND consumed_at IS NOT NULL`,
    bound,
  );
  return used.rowCount === 1 ? { status: 'used' } : { status: 'invalid' };
}
