import { signResultToken, verifyResultToken, type SigningKeyPolicy } from '@holdfast/core';
import { createDatabase, type Database } from '@holdfast/db';
import { createTestDatabase } from '@holdfast/db/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ServiceDeps } from '../../deps';
import { findPublicSigningKey, listPublicSigningKeys, loadActiveSigningKey } from './signing-keys';
import { createTestServiceDeps } from '../../test-support/service-deps';

const minute = 60_000;
const policy: SigningKeyPolicy = { rotateAfterMs: 60 * minute, publicationDelayMs: 10 * minute, tokenLifetimeMs: 6 * minute };
const issuer = 'https://mfa.example.com';

describe('[SIGNING_KEY_ROTATION] a new key is published before it signs; the old one verifies until its tokens expire', () => {
  let db: Database;
  let drop: () => Promise<void>;
  let now = new Date('2026-11-28T12:00:00Z');
  const at = (minutes: number): Date => new Date(Date.parse('2026-11-28T12:00:00Z') + minutes * minute);
  let deps: ServiceDeps;
  beforeAll(async () => {
    const database = await createTestDatabase(inject('pgAdminUrl'));
    drop = database.drop;
    db = createDatabase({ url: database.url, poolMax: 4 });
    deps = createTestServiceDeps(db, { clock: () => now, publicUrl: issuer });
  });
  afterAll(async () => {
    await db.close();
    await drop();
  });

  async function sign(kid: string, privateJwk: Awaited<ReturnType<typeof loadActiveSigningKey>>['privateJwk']): Promise<string> {
    const iat = Math.floor(now.getTime() / 1000);
    return signResultToken({
      kid,
      privateJwk,
      claims: { iss: issuer, aud: 'app-1', sub: 'alice', iat, exp: iat + 300, jti: `j-${iat}`, txn: 't', amr: ['otp'], state: 's' },
    });
  }

  async function verifyWithJwks(token: string, verifyAt: Date): Promise<void> {
    const [header = ''] = token.split('.');
    const { kid } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string };
    const saved = now;
    now = verifyAt;
    try {
      const publicJwk = (await listPublicSigningKeys(deps)).find((key) => key.kid === kid);
      if (publicJwk === undefined) throw new Error(`key ${kid} not published`);
      await verifyResultToken({ token, publicJwk, issuer, audience: 'app-1', now: verifyAt });
    } finally {
      now = saved;
    }
  }

  it('rotates on schedule, publishing ahead and retiring behind', async () => {
    // The first key signs at once (no token can predate it).
    now = at(0);
    const first = await loadActiveSigningKey(deps, policy);
    expect((await listPublicSigningKeys(deps)).map((key) => key.kid)).toEqual([first.kid]);

    // Due: a successor is created and published, but the old key still signs.
    now = at(60);
    const stillFirst = await loadActiveSigningKey(deps, policy);
    expect(stillFirst.kid).toBe(first.kid);
    const published = (await listPublicSigningKeys(deps)).map((key) => key.kid);
    expect(published).toHaveLength(2);
    const nextKid = published.find((kid) => kid !== first.kid) ?? '';
    expect(await db.prisma.signingKey.findUniqueOrThrow({ where: { kid: nextKid } })).toMatchObject({ isActive: false, activateAfter: at(70) });
    // Still within the publication delay: the next key has not signed anything.
    now = at(69);
    expect((await loadActiveSigningKey(deps, policy)).kid).toBe(first.kid);
    const oldToken = await sign(first.kid, first.privateJwk);

    // After the delay the next key signs; the old one is retired but still published.
    now = at(70);
    const second = await loadActiveSigningKey(deps, policy);
    expect(second.kid).toBe(nextKid);
    expect((await listPublicSigningKeys(deps)).map((key) => key.kid)).toEqual([nextKid, first.kid]);
    const newToken = await sign(second.kid, second.privateJwk);
    await verifyWithJwks(newToken, at(71));
    // A token the old key signed at 69 minutes verifies until it expires (74 minutes)…
    await verifyWithJwks(oldToken, at(73));
    expect(await findPublicSigningKey(deps, first.kid)).not.toBeNull();
    // …and once every token it can have signed has expired, the old key is gone.
    now = at(76);
    await loadActiveSigningKey(deps, policy);
    expect((await listPublicSigningKeys(deps)).map((key) => key.kid)).toEqual([nextKid]);
    expect(await findPublicSigningKey(deps, first.kid)).toBeNull();
    expect(await db.prisma.signingKey.count()).toBe(1);
    const audited = await db.prisma.auditEvent.findMany({
      where: { type: { startsWith: 'hosted.signing_key' } },
      orderBy: { id: 'asc' },
      select: { type: true },
    });
    expect(audited.map((event) => event.type)).toEqual(['hosted.signing_key_activated', 'hosted.signing_key_published', 'hosted.signing_key_activated']);
  });

  it('gateways stepping the rotation at once apply it once', async () => {
    now = at(200); // the second key is due again
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadActiveSigningKey(deps, policy)));
    expect(new Set(keys.map((key) => key.kid)).size).toBe(1);
    expect(await db.prisma.signingKey.count({ where: { isActive: false, retiredAt: null } })).toBe(1);
  });
});
