import { createHoldfastClient } from '@holdfast/sdk';
import { describe, expect, it } from 'vitest';
import { beginPush, sendDeviceAnswer, trpcMutation, trpcQuery, type TrpcAnswer } from './support/push-device';
import { createPushApplication, seedPushUser, type SeededPushUser } from './support/push-seed';
import { useTwoGatewayEnvironment } from './support/two-gateways';

const callbackUrl = 'https://app.example.com/mfa/callback';

interface HostedPushBegun {
  transactionId: string;
  number: string;
  expiresAt: string;
}

// Issue 11: the hosted page's "Approve on your phone" — a push bound to its hosted transaction,
// answered by a signed device answer, turned into exactly one result code.
describe('[HOSTED_PUSH] the hosted page approves on the phone: one result per transaction, only for its own push', () => {
  const env = useTwoGatewayEnvironment();

  /** A push user whose application allows this callback (and, for the cap test, many pushes per window). */
  async function pushUser(): Promise<SeededPushUser> {
    const app = await createPushApplication(env.db, { push_max_per_window: 100 });
    await env.db.prisma.application.update({ where: { id: app.applicationId }, data: { callbackUrls: [callbackUrl] } });
    return seedPushUser(env.db, app);
  }

  async function hostedTransaction(user: SeededPushUser, allowedFactorKinds?: string[]): Promise<{ token: string; id: string }> {
    const created = await trpcMutation(
      env.a,
      'hosted.createTransaction',
      { userId: user.userId, callbackUrl, state: 'st-push', ...(allowedFactorKinds === undefined ? {} : { allowedFactorKinds }) },
      user.apiKey,
    );
    const data = created.data as { transactionId: string; url: string };
    return { token: data.url.slice(data.url.lastIndexOf('/') + 1), id: data.transactionId };
  }

  function device(user: SeededPushUser) {
    const [first] = user.devices;
    if (first === undefined) throw new Error('a seeded device expected');
    return first;
  }

  const begin = (url: string, token: string): Promise<TrpcAnswer> => trpcMutation(url, 'hosted.pushBegin', { token });
  const status = (url: string, token: string, transactionId: string, waitMs = 0): Promise<TrpcAnswer> =>
    trpcMutation(url, 'hosted.pushStatus', { token, transactionId, waitMs });

  it('begin on A, the device approves on B while two pages wait (A and B): one gets the redirect, the other TRANSACTION_COMPLETED; amr swk', async () => {
    const user = await pushUser();
    const hosted = await hostedTransaction(user);
    // The page offers push: the user has a device and the transaction allows every kind.
    expect((await trpcQuery(env.b, 'hosted.getTransaction', { token: hosted.token })).data).toMatchObject({ factors: ['push'] });

    const begun = await begin(env.a, hosted.token);
    expect(begun.status).toBe(200);
    const push = begun.data as HostedPushBegun;
    expect(push.number).toMatch(/^[0-9]{2,3}$/);
    const row = await env.db.prisma.pushTransaction.findUniqueOrThrow({ where: { id: push.transactionId } });
    expect(row).toMatchObject({ hostedTransactionId: hosted.id, attemptId: `hosted-${hosted.id}-push-1`, status: 'pending' });

    // Nothing decided yet: a plain status call answers pending, no outcome.
    expect((await status(env.b, hosted.token, push.transactionId)).data).toEqual({ status: 'pending', outcome: null });

    // Two long-polls (two tabs, or a retry on another gateway) wait; then the phone approves.
    const started = Date.now();
    const waiting = [status(env.a, hosted.token, push.transactionId, 15_000), status(env.b, hosted.token, push.transactionId, 15_000)];
    await new Promise((resolve) => setTimeout(resolve, 400));
    const answered = await sendDeviceAnswer(
      env.b,
      device(user).signAnswer({ transactionId: push.transactionId, typedNumber: push.number, decision: 'approve' }),
    );
    expect(answered).toMatchObject({ status: 200, data: { status: 'approved' } });
    const answers = await Promise.all(waiting);
    // The long-poll returned on the decision, not at its bound.
    expect(Date.now() - started).toBeLessThan(10_000);

    const accepted = answers.filter((answer) => answer.status === 200);
    const completed = answers.filter((answer) => answer.code === 'TRANSACTION_COMPLETED');
    expect(accepted).toHaveLength(1);
    expect(completed).toHaveLength(1);
    const outcome = (accepted[0]?.data as { status: string; outcome: { outcome: string; redirectUrl: string } }).outcome;
    expect(accepted[0]?.data).toMatchObject({ status: 'approved', outcome: { outcome: 'accepted' } });
    const redirect = new URL(outcome.redirectUrl);
    expect(`${redirect.origin}${redirect.pathname}`).toBe(callbackUrl);
    expect(redirect.searchParams.get('state')).toBe('st-push');

    // Once completed, no further status call or push can issue anything.
    expect((await status(env.a, hosted.token, push.transactionId)).code).toBe('TRANSACTION_COMPLETED');
    expect((await begin(env.b, hosted.token)).code).toBe('TRANSACTION_COMPLETED');
    expect(await env.db.prisma.verificationResult.count({ where: { transactionId: hosted.id } })).toBe(1);
    const completions = await env.db.prisma.auditEvent.findMany({ where: { applicationId: user.applicationId, type: 'hosted.transaction_completed' } });
    expect(completions).toHaveLength(1);
    expect(completions[0]).toMatchObject({ factorId: device(user).deviceId, attemptId: `hosted-${hosted.id}-push-1`, detail: { kind: 'push' } });

    const redeemed = await createHoldfastClient({ gateways: [env.b], apiKey: user.apiKey, probeIntervalMs: 0 }).redeemResult({
      code: redirect.searchParams.get('code') ?? '',
      userId: user.userId,
    });
    expect(redeemed).toMatchObject({ userId: user.userId, amr: ['swk'], transactionId: hosted.id, state: 'st-push' });
  });

  it('denied on the phone → rejected (a wrong number is invalid_code); expired → no outcome; every push counts toward the cap of 5', async () => {
    const user = await pushUser();
    const hosted = await hostedTransaction(user);
    const failedAttempts = async () => (await env.db.prisma.verificationTransaction.findUniqueOrThrow({ where: { id: hosted.id } })).failedAttempts;

    const first = (await begin(env.a, hosted.token)).data as HostedPushBegun;
    await sendDeviceAnswer(env.a, device(user).signAnswer({ transactionId: first.transactionId, decision: 'deny' }));
    expect((await status(env.b, hosted.token, first.transactionId, 5_000)).data).toEqual({ status: 'denied', outcome: { outcome: 'rejected', reason: null } });
    // Asking again changes nothing (the denial was counted when the push was sent, once).
    expect((await status(env.a, hosted.token, first.transactionId)).data).toEqual({ status: 'denied', outcome: { outcome: 'rejected', reason: null } });
    expect(await failedAttempts()).toBe(1);

    const second = (await begin(env.b, hosted.token)).data as HostedPushBegun;
    const wrong = second.number === '99' ? '98' : '99';
    await sendDeviceAnswer(env.b, device(user).signAnswer({ transactionId: second.transactionId, typedNumber: wrong, decision: 'approve' }));
    expect((await status(env.a, hosted.token, second.transactionId)).data).toEqual({
      status: 'denied',
      outcome: { outcome: 'rejected', reason: 'invalid_code' },
    });

    // No answer in time: the page is told "expired" (and may send again).
    const third = (await begin(env.a, hosted.token)).data as HostedPushBegun;
    await env.db.pool.query("UPDATE push_transactions SET expires_at = now() - interval '1 second' WHERE id = $1", [third.transactionId]);
    expect((await status(env.b, hosted.token, third.transactionId, 2_000)).data).toEqual({ status: 'expired', outcome: null });

    for (let n = 4; n <= 5; n += 1) {
      const next = (await begin(n % 2 === 0 ? env.a : env.b, hosted.token)).data as HostedPushBegun;
      expect(next).not.toBeNull();
      await sendDeviceAnswer(env.a, device(user).signAnswer({ transactionId: next.transactionId, decision: 'deny' }));
    }
    expect(await failedAttempts()).toBe(5);
    // Five pushes, five failures: the sixth is refused before any push is sent, and so is a code.
    const sixth = await begin(env.b, hosted.token);
    expect(sixth).toMatchObject({ status: 429, code: 'TRANSACTION_ATTEMPTS_EXCEEDED' });
    expect(await env.db.prisma.pushTransaction.count({ where: { hostedTransactionId: hosted.id } })).toBe(5);
  });

  it('a transaction that does not allow push → FACTOR_KIND_NOT_ALLOWED; a second begin while one is pending → PUSH_PENDING (not counted)', async () => {
    const user = await pushUser();
    const totpOnly = await hostedTransaction(user, ['totp']);
    expect(await begin(env.a, totpOnly.token)).toMatchObject({ status: 403, code: 'FACTOR_KIND_NOT_ALLOWED' });
    expect(await env.db.prisma.pushTransaction.count({ where: { applicationId: user.applicationId } })).toBe(0);

    const hosted = await hostedTransaction(user, ['push', 'totp']);
    const first = await begin(env.a, hosted.token);
    expect(first.status).toBe(200);
    const second = await begin(env.b, hosted.token);
    expect(second).toMatchObject({ status: 409, code: 'PUSH_PENDING' });
    // The refused push was never sent: it costs the page nothing.
    expect((await env.db.prisma.verificationTransaction.findUniqueOrThrow({ where: { id: hosted.id } })).failedAttempts).toBe(1);
    // The first one's status still works, and another transaction's token cannot ask about it.
    const push = first.data as HostedPushBegun;
    expect((await status(env.b, hosted.token, push.transactionId)).data).toEqual({ status: 'pending', outcome: null });
    expect(await status(env.a, totpOnly.token, push.transactionId)).toMatchObject({ status: 403, code: 'FACTOR_KIND_NOT_ALLOWED' });
  });

  it("an approval of a push the hosted page did not begin (the application's own) never completes the hosted transaction", async () => {
    const user = await pushUser();
    const hosted = await hostedTransaction(user);
    const own = await beginPush(env.a, user);
    await sendDeviceAnswer(env.b, device(user).signAnswer({ transactionId: own.transactionId, typedNumber: own.number, decision: 'approve' }));
    expect(await status(env.a, hosted.token, own.transactionId)).toMatchObject({ status: 404, code: 'PUSH_TRANSACTION_NOT_FOUND' });
    // A look-alike attempt id chosen by the application is not the page's push either.
    const lookAlike = await beginPush(env.a, user, { attemptId: `hosted-${hosted.id}-push-1` });
    await sendDeviceAnswer(env.b, device(user).signAnswer({ transactionId: lookAlike.transactionId, typedNumber: lookAlike.number, decision: 'approve' }));
    expect(await begin(env.b, hosted.token)).toMatchObject({ status: 409, code: 'PUSH_PENDING' });
    expect(await status(env.a, hosted.token, lookAlike.transactionId)).toMatchObject({ status: 404, code: 'PUSH_TRANSACTION_NOT_FOUND' });
    expect((await env.db.prisma.verificationTransaction.findUniqueOrThrow({ where: { id: hosted.id } })).status).toBe('pending');
    expect(await env.db.prisma.verificationResult.count({ where: { transactionId: hosted.id } })).toBe(0);
  });
});
