// The drill's push users: a paired device per user, written straight to the database as the TOTP
// users are. The device's private key stays in this process: the drill plays the phone.
import { createDeviceKeyPair } from '@holdfast/core';
import { createApplication, type Database } from '@holdfast/db';
import { randomUUID, type KeyObject } from 'node:crypto';

export interface DrillPushUser {
  userId: string;
  /** The push factor's id: what the device names itself by (`deviceId`). */
  deviceId: string;
  privateKey: KeyObject;
  /** Until when (performance ms since the drill started) this user has a push that may still be pending: one in flight per user. */
  busyUntilMs: number;
}

export interface DrillPushApplication {
  applicationId: string;
  apiKey: string;
  ttlSeconds: number;
  users: DrillPushUser[];
}

export interface DrillPushSeed {
  /** The application most push logins use (default TTL, limits raised for the drill's rate). */
  main: DrillPushApplication;
  /** An application with the shortest TTL the schema allows (15 s): its users answer too late, on purpose. */
  late: DrillPushApplication;
}

/** The shortest push TTL (applications_push_ttl_seconds_check: 15..300). */
export const latePushTtlSeconds = 15;

async function seedPushApplication(options: { db: Database; name: string; prefix: string; count: number; ttlSeconds: number }): Promise<DrillPushApplication> {
  const { db } = options;
  const { applicationId, apiKey } = await createApplication({ prisma: db.prisma, name: options.name });
  // The fatigue limits are for people; the drill is one process sending a login every few hundred
  // ms over a pool of users, one push in flight per user. 100 per 1 s is the loosest the CHECKs allow.
  await db.pool.query('UPDATE applications SET push_ttl_seconds = $2, push_max_per_window = 100, push_window_seconds = 1 WHERE id = $1', [
    applicationId,
    options.ttlSeconds,
  ]);
  const users: DrillPushUser[] = [];
  const rows = { ids: [] as string[], externalIds: [] as string[], factorIds: [] as string[], jwks: [] as string[] };
  for (let i = 0; i < options.count; i += 1) {
    // The same stand-in device the gateway tests use (core): a P-256 key and the parsed public JWK.
    const { publicJwk, privateKey } = createDeviceKeyPair();
    const factorId = randomUUID();
    const userId = `${options.prefix}-${i}`;
    rows.ids.push(randomUUID());
    rows.externalIds.push(userId);
    rows.factorIds.push(factorId);
    rows.jwks.push(JSON.stringify(publicJwk));
    users.push({ userId, deviceId: factorId, privateKey, busyUntilMs: 0 });
  }
  await db.pool.query(
    `INSERT INTO users (id, application_id, external_id) SELECT u.id::uuid, $1::uuid, u.ext FROM unnest($2::text[], $3::text[]) AS u(id, ext)`,
    [applicationId, rows.ids, rows.externalIds],
  );
  await db.pool.query(
    `INSERT INTO factors (id, user_id, kind, label, status) SELECT f.id::uuid, f.uid::uuid, 'push', 'drill phone', 'active' FROM unnest($1::text[], $2::text[]) AS f(id, uid)`,
    [rows.factorIds, rows.ids],
  );
  // No subscription: no Web Push in drills. The device answers as if the user had opened the app.
  await db.pool.query(
    `INSERT INTO push_devices (factor_id, user_id, public_jwk, subscription_enc)
     SELECT d.fid::uuid, d.uid::uuid, d.jwk::jsonb, NULL FROM unnest($1::text[], $2::text[], $3::text[]) AS d(fid, uid, jwk)`,
    [rows.factorIds, rows.ids, rows.jwks],
  );
  return { applicationId, apiKey, ttlSeconds: options.ttlSeconds, users };
}

export async function seedPushDrill(options: { db: Database; scenario: string; users: number; lateUsers: number }): Promise<DrillPushSeed> {
  const stamp = new Date().toISOString();
  const main = await seedPushApplication({
    db: options.db,
    name: `drill push ${options.scenario} ${stamp}`,
    prefix: 'drill-push',
    count: options.users,
    ttlSeconds: 60,
  });
  const late = await seedPushApplication({
    db: options.db,
    name: `drill push late ${options.scenario} ${stamp}`,
    prefix: 'drill-push-late',
    count: options.lateUsers,
    ttlSeconds: latePushTtlSeconds,
  });
  return { main, late };
}
