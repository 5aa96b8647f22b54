import { describe, expect, it } from 'vitest';
import { postTrpc } from './support/fixtures';
import { beginPush, enrollPushUser, listDevicePending, pushStatus, sendDeviceAnswer, wrongPushNumber, type PushUser } from './support/push-device';
import { useTwoGatewayEnvironment } from './support/two-gateways';

/**
 * Issue 11, a login: the relying app begins a push on one gateway, the device answers on another
 * with a signed answer (the typed number for "Approve"), and the one compare-and-set decides.
 */
describe('push answers through two gateways', () => {
  const env = useTwoGatewayEnvironment();

  async function auditRows(transactionId: string): Promise<{ type: string; factor_id: string | null; detail: Record<string, unknown> }[]> {
    const { rows } = await env.db.pool.query<{ type: string; factor_id: string | null; detail: Record<string, unknown> }>(
      `SELECT type, factor_id, detail FROM audit_events WHERE detail->>'transactionId' = $1 AND type <> 'push.begun' ORDER BY id`,
      [transactionId],
    );
    return rows;
  }

  async function transactionRow(id: string): Promise<{ status: string; reason: string | null; device_id: string | null; decided_at: Date | null }> {
    const { rows } = await env.db.pool.query<{ status: string; reason: string | null; device_id: string | null; decided_at: Date | null }>(
      'SELECT status::text AS status, reason, device_id, decided_at FROM push_transactions WHERE id = $1',
      [id],
    );
    const row = rows[0];
    if (row === undefined) throw new Error('transaction row expected');
    return row;
  }

  async function newUser(): Promise<PushUser> {
    const [a] = env.urls();
    return enrollPushUser({ db: env.db, gatewayUrl: a });
  }

  it('[PUSH_APPROVE_NUMBER] begun on gateway B, listed and approved with the typed number on gateway A; pushStatus on B says approved', async () => {
    const [a, b] = env.urls();
    const user = await newUser();
    const begun = await beginPush(b, user, { context: { ipAddress: '203.0.113.7', location: 'Lisbon, PT', browser: 'Firefox on Linux' } });
    expect(begun).toMatchObject({ status: 'pending', number: expect.stringMatching(/^\d{2,3}$/u) as string });

    const pending = await listDevicePending(a, user.device.signPendingRequest());
    expect(pending.data).toMatchObject({
      transactions: [
        {
          transactionId: begun.transactionId,
          applicationName: user.device.applicationName,
          context: { ipAddress: '203.0.113.7', location: 'Lisbon, PT', browser: 'Firefox on Linux' },
        },
      ],
    });
    // The device is never told the number: the user types it from the login screen.
    const listed = (pending.data as { transactions: Record<string, unknown>[] }).transactions[0] ?? {};
    expect(Object.keys(listed).sort()).toEqual(['applicationName', 'context', 'createdAt', 'expiresAt', 'transactionId']);

    // Typed as people type it (a space the phone keyboard inserted): the signature covers the text as typed.
    const typed = `${begun.number.slice(0, 1)} ${begun.number.slice(1)}`;
    const answered = await sendDeviceAnswer(a, user.device.signAnswer({ transactionId: begun.transactionId, typedNumber: typed, decision: 'approve' }));
    expect(answered).toMatchObject({ status: 200, data: { status: 'approved', reason: 'approved' } });

    expect((await pushStatus(b, user, begun.transactionId)).data).toMatchObject({ transactionId: begun.transactionId, status: 'approved', reason: 'approved' });
    expect(await transactionRow(begun.transactionId)).toMatchObject({
      status: 'approved',
      reason: 'approved',
      device_id: user.device.deviceId,
      decided_at: expect.any(Date) as Date,
    });
    expect((await auditRows(begun.transactionId)).map((row) => [row.type, row.factor_id])).toEqual([['push.approved', user.device.deviceId]]);
    expect((await env.db.prisma.factor.findUniqueOrThrow({ where: { id: user.device.deviceId } })).lastUsedAt).not.toBeNull();
    // Nothing pending any more.
    expect((await listDevicePending(b, user.device.signPendingRequest())).data).toEqual({ transactions: [] });
  });

  it('[PUSH_WRONG_NUMBER] a wrong number denies the transaction (one guess per push), counts on the factor, and the right number after it is refused', async () => {
    const [a, b] = env.urls();
    const user = await newUser();
    const begun = await beginPush(b, user);
    const wrong = await sendDeviceAnswer(
      a,
      user.device.signAnswer({ transactionId: begun.transactionId, typedNumber: wrongPushNumber(begun.number), decision: 'approve' }),
    );
    expect(wrong).toMatchObject({ status: 200, data: { status: 'denied', reason: 'wrong_number' } });
    expect((await pushStatus(b, user, begun.transactionId)).data).toMatchObject({ status: 'denied', reason: 'wrong_number' });

    const right = await sendDeviceAnswer(b, user.device.signAnswer({ transactionId: begun.transactionId, typedNumber: begun.number, decision: 'approve' }));
    expect([right.status, right.code]).toEqual([403, 'PUSH_REQUEST_REFUSED']);
    expect(await transactionRow(begun.transactionId)).toMatchObject({ status: 'denied', reason: 'wrong_number' });
    expect((await auditRows(begun.transactionId)).map((row) => [row.type, row.detail.reason])).toEqual([
      ['push.denied', 'wrong_number'],
      ['push.answer_refused', 'not_pending'],
    ]);
    // Invariant 4: a wrong number is a failed guess on the push factor.
    expect((await env.db.prisma.factor.findUniqueOrThrow({ where: { id: user.device.deviceId } })).failedCount).toBe(1);
  });

  it('[PUSH_DENY_FRAUD] "This wasn\'t me" denies; "Report fraud" denies, suspends push for the user, is audited and queued for the application\'s webhook', async () => {
    const [a, b] = env.urls();
    const user = await newUser();
    expect((await postTrpc(a, 'webhooks.configure', { url: 'http://127.0.0.1:9/hooks' }, user.apiKey)).status).toBe(200);

    const first = await beginPush(a, user);
    const denied = await sendDeviceAnswer(b, user.device.signAnswer({ transactionId: first.transactionId, decision: 'deny' }));
    expect(denied.data).toEqual({ status: 'denied', reason: 'denied_by_user' });
    const internal = await env.db.prisma.user.findFirstOrThrow({ where: { externalId: user.userId } });
    expect(internal.pushSuspendedUntil).toBeNull();

    const second = await beginPush(b, user);
    const reported = await sendDeviceAnswer(a, user.device.signAnswer({ transactionId: second.transactionId, decision: 'fraud' }));
    expect(reported.data).toEqual({ status: 'denied', reason: 'fraud_reported' });
    expect((await pushStatus(b, user, second.transactionId)).data).toMatchObject({ status: 'denied', reason: 'fraud_reported' });

    const suspendedUntil = (await env.db.prisma.user.findFirstOrThrow({ where: { externalId: user.userId } })).pushSuspendedUntil;
    expect(suspendedUntil).not.toBeNull();
    // The application's default: 20 minutes.
    expect(Math.abs((suspendedUntil?.getTime() ?? 0) - Date.now() - 20 * 60_000)).toBeLessThan(60_000);
    expect((await auditRows(second.transactionId)).map((row) => [row.type, row.factor_id])).toEqual([['push.fraud_reported', user.device.deviceId]]);
    const deliveries = await env.db.pool.query<{ event_type: string; payload: { data: Record<string, unknown> } }>(
      `SELECT d.event_type, d.payload FROM webhook_deliveries d JOIN audit_events e ON e.id = d.audit_event_id
        WHERE e.type = 'push.fraud_reported' AND d.application_id = $1`,
      [user.applicationId],
    );
    expect(deliveries.rows).toHaveLength(1);
    expect(deliveries.rows[0]).toMatchObject({
      event_type: 'push.fraud_reported',
      payload: { data: { userId: user.userId, factorId: user.device.deviceId, factorKind: 'push' } },
    });

    // No push is begun for the user while suspended, on any gateway.
    for (const url of [a, b]) {
      const refused = await postTrpc(url, 'verify.pushBegin', { userId: user.userId, attemptId: crypto.randomUUID() }, user.apiKey);
      expect((refused.json as { error: { data: { holdfastCode: string } } }).error.data.holdfastCode).toBe('PUSH_SUSPENDED');
    }
  });

  it('[PUSH_EXPIRED] an approval with the right number after expiry (by the database clock) expires the transaction, never approves it', async () => {
    const [a, b] = env.urls();
    const user = await newUser();
    const begun = await beginPush(a, user);
    // Signed while the transaction was live; it reaches the gateway after the expiry.
    const late = user.device.signAnswer({ transactionId: begun.transactionId, typedNumber: begun.number, decision: 'approve' });
    await env.db.pool.query(`UPDATE push_transactions SET expires_at = now() - interval '1 second' WHERE id = $1`, [begun.transactionId]);

    expect((await listDevicePending(b, user.device.signPendingRequest())).data).toEqual({ transactions: [] });

    // The late answer writes the expiry itself (unless an expiry sweep got there first: then it is refused).
    const answered = await sendDeviceAnswer(b, late);
    expect(answered.status === 200 ? answered.data : answered.code).toEqual(
      answered.status === 200 ? { status: 'expired', reason: 'expired' } : 'PUSH_REQUEST_REFUSED',
    );
    expect(await transactionRow(begun.transactionId)).toMatchObject({ status: 'expired', reason: 'expired' });
    expect((await auditRows(begun.transactionId)).map((row) => row.type)).not.toContain('push.approved');
    expect((await pushStatus(a, user, begun.transactionId)).data).toMatchObject({ status: 'expired' });
    // And later answers change nothing.
    const again = await sendDeviceAnswer(a, user.device.signAnswer({ transactionId: begun.transactionId, typedNumber: begun.number, decision: 'approve' }));
    expect([again.status, again.code]).toEqual([403, 'PUSH_REQUEST_REFUSED']);
    expect(await transactionRow(begun.transactionId)).toMatchObject({ status: 'expired' });
  });
});
