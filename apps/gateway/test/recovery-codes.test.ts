import { createEnrollmentClient, createHoldfastClient } from '@holdfast/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollTotpUser, startEnvironment } from './support/fixtures';

describe('[RECOVERY_CODES] a set of 10 single-use codes', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 2 });
  });
  afterAll(async () => {
    await env.stop();
  });

  it('each code works once, on any gateway; a new set revokes the old one', async () => {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url, withRecoveryCodes: true });
    const [first = '', second = ''] = user.recoveryCodes;
    expect(new Set(user.recoveryCodes).size).toBe(10);
    const viaA = createHoldfastClient({ gateways: [a.url], apiKey: user.apiKey });
    const viaB = createHoldfastClient({ gateways: [b.url], apiKey: user.apiKey });

    expect(await viaA.verifyRecoveryCode({ userId: user.userId, code: first })).toMatchObject({ outcome: 'accepted' });
    expect(await viaB.verifyRecoveryCode({ userId: user.userId, code: first })).toMatchObject({ outcome: 'rejected', reason: 'invalid_code' });
    // Typed sloppily (lower case, no dash, spaces) it is still the same code.
    const sloppy = ` ${second.replace('-', '').toLowerCase()} `;
    expect(await viaB.verifyRecoveryCode({ userId: user.userId, code: sloppy })).toMatchObject({ outcome: 'accepted' });
    const preauth = await viaA.preauth({ userId: user.userId });
    expect(preauth.result === 'auth' ? preauth.factors.find((f) => f.kind === 'recovery_codes')?.remainingCodes : null).toBe(8);
    // Each factor reports the NIST 800-63B level its strategy claims (with the app's password: AAL2).
    expect(preauth.result === 'auth' ? preauth.factors.map((f) => [f.kind, f.assuranceLevel]) : []).toEqual([
      ['totp', 'aal2'],
      ['recovery_codes', 'aal2'],
    ]);

    // Regenerating (through a new enrollment link) makes every old code useless.
    const link = await viaA.createEnrollmentLink({ userId: user.userId });
    const enrollment = createEnrollmentClient({ gateways: [b.url] });
    await enrollment.redeem(link.token);
    // Issue 8: the user has factors, so the new session steps up first (here with an unused code).
    expect(await enrollment.stepUpRecoveryCode({ code: user.recoveryCodes[3] ?? '' })).toMatchObject({ outcome: 'accepted' });
    const fresh = await enrollment.generateRecoveryCodes();
    expect(await viaA.verifyRecoveryCode({ userId: user.userId, code: user.recoveryCodes[2] ?? '' })).toMatchObject({ outcome: 'rejected' });
    expect(await viaA.verifyRecoveryCode({ userId: user.userId, code: fresh.codes[0] ?? '' })).toMatchObject({ outcome: 'accepted' });
    expect(
      await env.db.prisma.auditEvent.count({
        where: { userId: (await env.db.prisma.user.findFirstOrThrow({ where: { externalId: user.userId } })).id, type: 'recovery_codes.generated' },
      }),
    ).toBe(2);
  });
});
