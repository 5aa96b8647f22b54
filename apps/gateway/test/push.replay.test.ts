import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postTrpc, startEnvironment } from './support/fixtures';
import {
  beginPush,
  enrollPushUser,
  listDevicePending,
  pairAnotherDevice,
  pushStatus,
  sendDeviceAnswer,
  signDeviceBytes,
  type DeviceAnswerBody,
} from './support/push-device';
import { useTwoGatewayEnvironment } from './support/two-gateways';
import { pushListRequestSignedBytes } from '@holdfast/core';

/** (r, n − s): the other valid form of the same ECDSA signature (browsers do not normalise s). */
function malleate(signature: string): string {
  const bytes = Buffer.from(signature, 'base64url');
  const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
  const s = BigInt(`0x${bytes.subarray(32).toString('hex')}`);
  return Buffer.concat([bytes.subarray(0, 32), Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex')]).toString('base64url');
}

describe('push signatures count once, for one transaction, from one paired device', () => {
  const env = useTwoGatewayEnvironment();

  async function countAudit(type: string, transactionId: string): Promise<number> {
    const { rows } = await env.db.pool.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM audit_events WHERE type = $1 AND detail->>'transactionId' = $2`,
      [type, transactionId],
    );
    return rows[0]?.count ?? 0;
  }

  async function refusalReasons(deviceId: string): Promise<string[]> {
    const { rows } = await env.db.pool.query<{ reason: string }>(
      `SELECT detail->>'reason' AS reason FROM audit_events WHERE type = 'push.answer_refused' AND detail->>'deviceId' = $1 ORDER BY id`,
      [deviceId],
    );
    return rows.map((row) => row.reason);
  }

  const refused = { status: 403, code: 'PUSH_REQUEST_REFUSED' };

  it('[PUSH_SIGNATURE_REPLAY] a captured approval: re-sent it changes nothing, in its twin form or for another transaction it is refused, and from another device or after removal too', async () => {
    const [a, b] = env.urls();
    const user = await enrollPushUser({ db: env.db, gatewayUrl: a });
    const other = await pairAnotherDevice({ gatewayUrl: a, user, name: 'second phone' });

    const first = await beginPush(b, user);
    const captured = user.device.signAnswer({ transactionId: first.transactionId, typedNumber: first.number, decision: 'approve' });
    expect((await sendDeviceAnswer(a, captured)).data).toEqual({ status: 'approved', reason: 'approved' });

    // Sent again byte for byte (a lost response re-sent, or a replay): the recorded outcome, no second approval.
    expect((await sendDeviceAnswer(b, captured)).data).toEqual({ status: 'approved', reason: 'approved' });
    expect(await countAudit('push.approved', first.transactionId)).toBe(1);
    // Its other valid ECDSA form (r, n − s) is not the recorded answer: refused.
    expect(await sendDeviceAnswer(b, { ...captured, signature: malleate(captured.signature) })).toMatchObject(refused);

    // For another transaction (same user, same number if it happened to match): the signature names the first one.
    const second = await beginPush(a, user);
    const moved: DeviceAnswerBody = { ...captured, transactionId: second.transactionId, typedNumber: second.number };
    expect(await sendDeviceAnswer(b, { ...captured, transactionId: second.transactionId })).toMatchObject(refused);
    expect(await sendDeviceAnswer(a, moved)).toMatchObject(refused);

    // Another device's signature under this device's id, and this device's id under the other's signature.
    const byOther = other.signAnswer({ transactionId: second.transactionId, typedNumber: second.number, decision: 'approve' });
    expect(await sendDeviceAnswer(a, { ...byOther, deviceId: user.device.deviceId })).toMatchObject(refused);
    expect((await pushStatus(a, user, second.transactionId)).data).toMatchObject({ status: 'pending' });

    // The device is removed (the application revokes it): its fresh, valid signatures prove nothing.
    expect((await postTrpc(b, 'factors.revoke', { userId: user.userId, factorId: user.device.deviceId }, user.apiKey)).status).toBe(200);
    const afterRemoval = user.device.signAnswer({ transactionId: second.transactionId, typedNumber: second.number, decision: 'approve' });
    expect(await sendDeviceAnswer(a, afterRemoval)).toMatchObject(refused);
    expect(await listDevicePending(b, user.device.signPendingRequest())).toMatchObject(refused);
    expect((await pushStatus(b, user, second.transactionId)).data).toMatchObject({ status: 'pending' });
    // A captured answer older than the clock skew is refused too, whatever it says.
    const old = other.signAnswer({ transactionId: second.transactionId, typedNumber: second.number, decision: 'approve', deviceTime: Date.now() - 120_000 });
    expect(await sendDeviceAnswer(b, old)).toMatchObject(refused);
    // The other (still paired) device can answer it.
    expect(
      (await sendDeviceAnswer(b, other.signAnswer({ transactionId: second.transactionId, typedNumber: second.number, decision: 'approve' }))).data,
    ).toEqual({
      status: 'approved',
      reason: 'approved',
    });

    // Every refusal is in the audit trail with its reason (the device heard one generic answer).
    expect(await refusalReasons(user.device.deviceId)).toEqual([
      'not_pending',
      'signature_mismatch',
      'signature_mismatch',
      'signature_mismatch',
      'device_inactive',
      'device_inactive',
    ]);
    expect(await refusalReasons(other.deviceId)).toEqual(['device_clock_skew']);
  });

  it('[PUSH_SIGNATURE_REPLAY] 20 concurrent identical answers and 20 separately signed ones over two gateways: exactly one approval each time', async () => {
    const [a, b] = env.urls();
    const user = await enrollPushUser({ db: env.db, gatewayUrl: b });

    const first = await beginPush(a, user);
    const identical = user.device.signAnswer({ transactionId: first.transactionId, typedNumber: first.number, decision: 'approve' });
    const identicalAnswers = await Promise.all(Array.from({ length: 20 }, (_, i) => sendDeviceAnswer(i % 2 === 0 ? a : b, identical)));
    // All told the one recorded outcome; one transition.
    expect(identicalAnswers.map((r) => [r.status, r.data])).toEqual(Array.from({ length: 20 }, () => [200, { status: 'approved', reason: 'approved' }]));
    expect(await countAudit('push.approved', first.transactionId)).toBe(1);

    const second = await beginPush(b, user);
    const separate = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        sendDeviceAnswer(i % 2 === 0 ? a : b, user.device.signAnswer({ transactionId: second.transactionId, typedNumber: second.number, decision: 'approve' })),
      ),
    );
    expect(separate.filter((r) => r.status === 200)).toHaveLength(1);
    expect(separate.filter((r) => r.status === 403 && r.code === 'PUSH_REQUEST_REFUSED')).toHaveLength(19);
    expect(await countAudit('push.approved', second.transactionId)).toBe(1);
    expect(await countAudit('push.answer_refused', second.transactionId)).toBe(19);
    expect((await pushStatus(a, user, second.transactionId)).data).toMatchObject({ status: 'approved' });
  });
});

describe('[PUSH_PENDING_WITHOUT_PUSH] a device with no push subscription finds its pending login with a signed request and approves it', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 1 });
  });
  afterAll(async () => {
    await env.stop();
  });

  it('lists the pending transaction (never the number), approves it; a bad list signature is refused', async () => {
    const [gw] = env.gateways;
    if (gw === undefined) throw new Error('gateway expected');
    const user = await enrollPushUser({ db: env.db, gatewayUrl: gw.url, subscription: null });
    expect(
      (await env.db.prisma.pushDevice.findUniqueOrThrow({ where: { factorId: user.device.deviceId }, omit: { subscriptionEnc: false } })).subscriptionEnc,
    ).toBeNull();

    const begun = await beginPush(gw.url, user);
    expect(begun.deviceCount).toBe(0);
    const listed = await listDevicePending(gw.url, user.device.signPendingRequest());
    expect(listed.status).toBe(200);
    const [pending] = (listed.data as { transactions: { transactionId: string }[] }).transactions;
    expect(pending?.transactionId).toBe(begun.transactionId);
    expect(JSON.stringify(listed.json)).not.toContain('"number"');

    const answered = await sendDeviceAnswer(
      gw.url,
      user.device.signAnswer({ transactionId: begun.transactionId, typedNumber: begun.number, decision: 'approve' }),
    );
    expect(answered.data).toEqual({ status: 'approved', reason: 'approved' });

    // Bad list requests: a signature over another time, another device's key, a stale clock.
    const good = user.device.signPendingRequest();
    expect(await listDevicePending(gw.url, { ...good, deviceTime: good.deviceTime + 1 })).toMatchObject({ status: 403, code: 'PUSH_REQUEST_REFUSED' });
    const stranger = await enrollPushUser({ db: env.db, gatewayUrl: gw.url });
    const forged = signDeviceBytes(
      stranger.device.privateKey,
      pushListRequestSignedBytes({ deviceId: user.device.deviceId, deviceTime: new Date(good.deviceTime), audience: user.device.audience }),
    );
    expect(await listDevicePending(gw.url, { ...good, signature: forged })).toMatchObject({ status: 403, code: 'PUSH_REQUEST_REFUSED' });
    expect(await listDevicePending(gw.url, user.device.signPendingRequest({ deviceTime: Date.now() - 60_000 }))).toMatchObject({
      status: 403,
      code: 'PUSH_REQUEST_REFUSED',
    });
    const { rows } = await env.db.pool.query<{ reason: string }>(
      `SELECT detail->>'reason' AS reason FROM audit_events WHERE type = 'push.answer_refused' AND factor_id = $1 ORDER BY id`,
      [user.device.deviceId],
    );
    expect(rows.map((row) => row.reason)).toEqual(['signature_mismatch', 'signature_mismatch', 'device_clock_skew']);
  });
});
