// The drill's own relying application and users, written straight to the database.
import { totpSecretAad } from '@holdfast/core';
import {
  createTotpSecret,
  encryptSecret,
  generateRecoveryCodes,
  hashRecoveryCode,
  normalizeRecoveryCode,
  recoveryCodeLookupTag,
  recoveryCodeSaltBytes,
  type Keyring,
} from '@holdfast/core';
import { createApplication, type Database } from '@holdfast/db';
import { randomBytes, randomUUID } from 'node:crypto';

export interface DrillUser {
  userId: string;
  secret: string;
  /** The last time step this drill used for the user (each step's code can be accepted once). */
  lastStep: number;
  recoveryCodes: string[];
}

const random = (size: number): Uint8Array => new Uint8Array(randomBytes(size));

export async function seedDrill(options: {
  db: Database;
  keyring: Keyring;
  scenario: string;
  totpUsers: number;
  recoveryUsers: number;
}): Promise<{ apiKey: string; users: DrillUser[] }> {
  const { db } = options;
  const { applicationId, apiKey } = await createApplication({ prisma: db.prisma, name: `drill ${options.scenario} ${new Date().toISOString()}` });
  const users: DrillUser[] = [];
  const rows = { users: [] as string[][], factors: [] as string[][], totp: [] as string[][] };
  for (let i = 0; i < options.totpUsers; i += 1) {
    const id = randomUUID();
    const factorId = randomUUID();
    const secret = createTotpSecret({ random, algorithm: 'SHA1' });
    const userId = `drill-${i}`;
    rows.users.push([id, userId]);
    rows.factors.push([factorId, id]);
    rows.totp.push([factorId, encryptSecret({ keyring: options.keyring, plaintext: secret, aad: totpSecretAad(factorId), random })]);
    users.push({ userId, secret, lastStep: -1, recoveryCodes: [] });
  }
  // Bulk inserts: hundreds of users in three statements.
  await db.pool.query(
    `INSERT INTO users (id, application_id, external_id) SELECT u.id::uuid, $1::uuid, u.ext FROM unnest($2::text[], $3::text[]) AS u(id, ext)`,
    [applicationId, rows.users.map((r) => r[0]), rows.users.map((r) => r[1])],
  );
  await db.pool.query(
    `INSERT INTO factors (id, user_id, kind, label, status) SELECT f.id::uuid, f.uid::uuid, 'totp', 'drill', 'active' FROM unnest($1::text[], $2::text[]) AS f(id, uid)`,
    [rows.factors.map((r) => r[0]), rows.factors.map((r) => r[1])],
  );
  await db.pool.query(`INSERT INTO totp_factors (factor_id, secret_enc) SELECT t.id::uuid, t.enc FROM unnest($1::text[], $2::text[]) AS t(id, enc)`, [
    rows.totp.map((r) => r[0]),
    rows.totp.map((r) => r[1]),
  ]);
  // A few users also hold recovery codes (scrypt-hashed, so only a few).
  for (const user of users.slice(0, options.recoveryUsers)) {
    const codes = generateRecoveryCodes({ random });
    const setId = randomUUID();
    const hashed = await Promise.all(
      codes.map(async (code) => {
        const salt = random(recoveryCodeSaltBytes);
        return { salt, hash: await hashRecoveryCode({ code: normalizeRecoveryCode(code) ?? code, salt }), lookupTag: recoveryCodeLookupTag({ setId, code }) };
      }),
    );
    const owner = await db.prisma.user.findFirstOrThrow({ where: { applicationId, externalId: user.userId }, select: { id: true } });
    await db.prisma.factor.create({
      data: {
        id: setId,
        userId: owner.id,
        kind: 'recovery_codes',
        label: 'Recovery codes',
        status: 'active',
        recoveryCodes: { create: hashed.map((h) => ({ salt: new Uint8Array(h.salt), hash: new Uint8Array(h.hash), lookupTag: h.lookupTag })) },
      },
    });
    user.recoveryCodes = codes;
  }
  return { apiKey, users };
}
