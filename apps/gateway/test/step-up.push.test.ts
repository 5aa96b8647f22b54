import { createEnrollmentClient, createHoldfastClient } from '@holdfast/sdk';
import { describe, expect, it } from 'vitest';
import { beginPush, enrollPushUser, sendDeviceAnswer, trpcMutation, trpcQuery, type PushUser } from './support/push-device';
import { useTwoGatewayEnvironment } from './support/two-gateways';

// Issue 11: a paired phone is a way to "Confirm it's you" in the portal (invariant 11), bound to
// the session that asked and recorded once.
describe('[STEP_UP_PUSH] the portal steps up with a phone approval: only its own push, recorded once', () => {
  const env = useTwoGatewayEnvironment();

  async function freshSession(user: PushUser): Promise<string> {
    const link = await createHoldfastClient({ gateways: [env.a], apiKey: user.apiKey, probeIntervalMs: 0 }).createEnrollmentLink({ userId: user.userId });
    return (await createEnrollmentClient({ gateways: [env.b] }).redeem(link.token)).sessionToken;
  }

  it('denied → still required; approved → fresh from the approval, audited once; a newer session and the application’s pushes do not count', async () => {
    const user = await enrollPushUser({ db: env.db, gatewayUrl: env.a });
    const session = await freshSession(user);
    const state = await trpcQuery(env.a, 'enrollment.session', undefined, session);
    expect(state.data).toMatchObject({ stepUp: 'required', stepUpKinds: expect.arrayContaining(['push', 'totp']) as unknown });

    // "This wasn't me": nothing changes.
    const denied = (await trpcMutation(env.a, 'enrollment.stepUpPushBegin', undefined, session)).data as { transactionId: string; number: string };
    await sendDeviceAnswer(env.b, user.device.signAnswer({ transactionId: denied.transactionId, decision: 'deny' }));
    expect((await trpcMutation(env.b, 'enrollment.stepUpPushStatus', { transactionId: denied.transactionId, waitMs: 2_000 }, session)).data).toEqual({
      status: 'denied',
      validUntil: null,
    });
    expect((await trpcQuery(env.a, 'enrollment.session', undefined, session)).data).toMatchObject({ stepUp: 'required' });

    // The application's own login push, approved, is not this session's proof.
    const own = await beginPush(env.a, user);
    await sendDeviceAnswer(env.a, user.device.signAnswer({ transactionId: own.transactionId, typedNumber: own.number, decision: 'approve' }));
    expect(await trpcMutation(env.a, 'enrollment.stepUpPushStatus', { transactionId: own.transactionId }, session)).toMatchObject({
      status: 404,
      code: 'PUSH_TRANSACTION_NOT_FOUND',
    });

    const begun = (await trpcMutation(env.a, 'enrollment.stepUpPushBegin', undefined, session)).data as { transactionId: string; number: string };
    const waiting = trpcMutation(env.b, 'enrollment.stepUpPushStatus', { transactionId: begun.transactionId, waitMs: 10_000 }, session);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await sendDeviceAnswer(env.a, user.device.signAnswer({ transactionId: begun.transactionId, typedNumber: begun.number, decision: 'approve' }));
    const approved = await waiting;
    expect(approved).toMatchObject({ status: 200, data: { status: 'approved' } });
    const decided = await env.db.prisma.pushTransaction.findUniqueOrThrow({ where: { id: begun.transactionId } });
    const validUntil = new Date((approved.data as { validUntil: string }).validUntil).getTime();
    expect(validUntil - (decided.decidedAt?.getTime() ?? 0)).toBe(5 * 60_000);

    // Asking again answers the same and records nothing more: the window counts from the approval.
    const again = await trpcMutation(env.a, 'enrollment.stepUpPushStatus', { transactionId: begun.transactionId }, session);
    expect(again.data).toEqual(approved.data);
    expect(
      await env.db.prisma.auditEvent.count({
        where: { applicationId: user.applicationId, type: 'enrollment.stepped_up', detail: { path: ['kind'], equals: 'push' } },
      }),
    ).toBe(1);
    expect((await trpcQuery(env.a, 'enrollment.session', undefined, session)).data).toMatchObject({ stepUp: 'fresh' });
    // Stepped up: the session may now add a factor (another phone).
    expect(await trpcMutation(env.a, 'enrollment.createPushPairing', undefined, session)).toMatchObject({ status: 200 });
    // A newer session of the same user (a new link ends this one) cannot use this session's push.
    const other = await freshSession(user);
    expect(await trpcMutation(env.a, 'enrollment.stepUpPushStatus', { transactionId: begun.transactionId }, other)).toMatchObject({
      status: 404,
      code: 'PUSH_TRANSACTION_NOT_FOUND',
    });
  });
});
