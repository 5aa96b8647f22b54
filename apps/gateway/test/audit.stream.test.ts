import type { AuditRecord } from '@holdfast/core';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor, waitUntilSealed } from './audit.support';
import { enrollTotpUser, startEnvironment, wrongCodes } from './support/fixtures';

// Issue 12: GET /v1/audit/stream, a relying application's live audit trail as Server-Sent Events.
// Real Postgres, two real gateway processes over HTTP; a short seal interval so "live" is ≤ 2 s.

interface StreamEvent {
  id: string | null;
  event: string | null;
  record: AuditRecord;
}

/** A minimal EventSource over fetch: frames split on a blank line, fields per line. */
interface OpenedStream {
  status: number;
  contentType: string | null;
  events: StreamEvent[];
  comments: string[];
  retry: number | null;
  /** Resolves when the server ends the stream (or it was closed here). */
  ended: Promise<void>;
  close: () => void;
}

async function openStream(
  gatewayUrl: string,
  options: { apiKey?: string; lastEventId?: string; query?: string },
): Promise<OpenedStream | { status: number; contentType: string | null; body: unknown }> {
  const abort = new AbortController();
  const response = await fetch(`${gatewayUrl}/v1/audit/stream${options.query ?? ''}`, {
    headers: {
      accept: 'text/event-stream',
      ...(options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` }),
      ...(options.lastEventId === undefined ? {} : { 'last-event-id': options.lastEventId }),
    },
    signal: abort.signal,
  });
  const contentType = response.headers.get('content-type');
  if (response.status !== 200 || response.body === null) return { status: response.status, contentType, body: await response.json().catch(() => null) };
  const stream: OpenedStream = {
    status: response.status,
    contentType,
    events: [],
    comments: [],
    retry: null,
    ended: Promise.resolve(),
    close: () => {
      abort.abort();
    },
  };
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  stream.ended = (async () => {
    let buffered = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffered += value;
        for (let end = buffered.indexOf('\n\n'); end !== -1; end = buffered.indexOf('\n\n')) {
          const frame = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const fields = { id: null as string | null, event: null as string | null, data: [] as string[] };
          for (const line of frame.split('\n')) {
            if (line.startsWith(':')) stream.comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) fields.id = line.slice(4);
            else if (line.startsWith('event: ')) fields.event = line.slice(7);
            else if (line.startsWith('data: ')) fields.data.push(line.slice(6));
            else if (line.startsWith('retry: ')) stream.retry = Number(line.slice(7));
          }
          if (fields.data.length > 0) stream.events.push({ id: fields.id, event: fields.event, record: JSON.parse(fields.data.join('\n')) as AuditRecord });
        }
      }
    } catch {
      // closed here (abort)
    }
  })();
  return stream;
}

function isOpen(stream: Awaited<ReturnType<typeof openStream>>): stream is OpenedStream {
  return 'events' in stream;
}

async function mustOpen(gatewayUrl: string, options: Parameters<typeof openStream>[1]): Promise<OpenedStream> {
  const stream = await openStream(gatewayUrl, options);
  if (!isOpen(stream)) throw new Error(`stream refused: ${String(stream.status)} ${JSON.stringify(stream.body)}`);
  return stream;
}

/** A rejected TOTP code over REST (one audited `verify.rejected` row); returns its attempt id. */
async function rejectedCode(gatewayUrl: string, apiKey: string, userId: string, code: string): Promise<string> {
  const attemptId = `stream-${randomUUID()}`;
  const response = await fetch(`${gatewayUrl}/v1/verify/totp`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ userId, attemptId, code }),
  });
  expect(response.status).toBe(200);
  expect(await response.json()).toMatchObject({ outcome: 'rejected' });
  return attemptId;
}

async function metricValue(gatewayUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line === undefined ? Number.NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('the live audit stream (GET /v1/audit/stream)', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  let alice: Awaited<ReturnType<typeof enrollTotpUser>>;
  let bob: Awaited<ReturnType<typeof enrollTotpUser>>;
  let codes: string[];

  /** The event id of the audit row written for `attemptId`'s rejection. */
  const eventIdOf = async (attemptId: string): Promise<string> =>
    waitFor(`audit row of ${attemptId}`, async () => {
      const { rows } = await env.db.pool.query<{ id: string }>(`SELECT id::text AS id FROM audit_events WHERE attempt_id = $1 AND type = 'verify.rejected'`, [
        attemptId,
      ]);
      return rows[0]?.id;
    });

  /** An application's sealed leaves after `after`, in leaf order (what its stream must carry). */
  const sealedLeavesOf = async (applicationId: string, after: number): Promise<number[]> => {
    const { rows } = await env.db.pool.query<{ leaf_index: string }>(
      `SELECT l.leaf_index::text AS leaf_index FROM audit_leaves l JOIN audit_events e ON e.id = l.audit_event_id
        WHERE e.application_id = $1 AND l.leaf_index > $2 AND l.leaf_index < (SELECT max(tree_size) FROM audit_checkpoints)
        ORDER BY l.leaf_index`,
      [applicationId, after],
    );
    return rows.map((row) => Number(row.leaf_index));
  };

  beforeAll(async () => {
    env = await startEnvironment({
      gateways: 2,
      env: {
        HOLDFAST_AUDIT_SEAL_INTERVAL_MS: '200',
        HOLDFAST_AUDIT_STREAM_HEARTBEAT_MS: '500',
        HOLDFAST_AUDIT_STREAM_MAX: '3',
        // One request at a time in the router: a stream that kept its admission slot while waiting
        // would make every other request on that gateway wait, then be refused (503).
        HOLDFAST_ADMISSION_MAX_IN_FLIGHT: '1',
        HOLDFAST_LOCKOUT_THRESHOLD: '100',
      },
    });
    const [a] = env.gateways;
    if (a === undefined) throw new Error('gateways expected');
    alice = await enrollTotpUser({ db: env.db, gatewayUrl: a.url });
    bob = await enrollTotpUser({ db: env.db, gatewayUrl: a.url });
    codes = await wrongCodes(alice.secret, 1);
  });
  afterAll(async () => {
    await env.stop();
  });

  it('[AUDIT_STREAM_LIVE] an audited action arrives on an open stream within 2 s, with its leaf index and a checkpoint that covers it', async () => {
    const [a] = env.gateways;
    if (a === undefined) throw new Error('gateway expected');
    const stream = await mustOpen(a.url, { apiKey: alice.apiKey });
    try {
      expect(stream.contentType).toContain('text/event-stream');
      await waitFor('the opening comment', () => Promise.resolve(stream.comments.some((c) => c.startsWith('holdfast audit stream'))), 5_000, 20);
      expect(stream.retry).toBeGreaterThan(0);
      for (let round = 0; round < 3; round += 1) {
        // The stream holds no admission slot while it waits: this request is admitted (max 1 in flight).
        const attemptId = await rejectedCode(a.url, alice.apiKey, alice.userId, codes[0] ?? '000000');
        const sentAt = Date.now();
        const event = await waitFor(
          'the rejection on the stream',
          () => Promise.resolve(stream.events.find((e) => e.record.attemptId === attemptId)),
          2_000,
          10,
        );
        expect(Date.now() - sentAt).toBeLessThanOrEqual(2_000);
        const { record } = event;
        expect(event.event).toBe('audit');
        expect(event.id).toBe(String(record.leafIndex));
        expect(record).toMatchObject({
          format: 'holdfast-audit-record/v1',
          type: 'verify.rejected',
          applicationId: alice.applicationId,
        });
        expect(record.eventId).toMatch(/^[0-9a-f-]{36}$/);
        // The checkpoint it carries covers it, and is the one the database signed.
        expect(record.checkpoint.treeSize).toBeGreaterThan(record.leafIndex);
        expect(record.checkpoint.note).toContain(`\n${String(record.checkpoint.treeSize)}\n${record.checkpoint.rootHash}\n`);
        const { rows } = await env.db.pool.query<{ leaf_index: string; note: string }>(
          `SELECT l.leaf_index::text AS leaf_index, c.note FROM audit_leaves l JOIN audit_events e ON e.id = l.audit_event_id, audit_checkpoints c
            WHERE e.attempt_id = $1 AND c.tree_size = $2`,
          [attemptId, record.checkpoint.treeSize],
        );
        expect(rows).toEqual([{ leaf_index: String(record.leafIndex), note: record.checkpoint.note }]);
      }
      // Heartbeats keep an idle stream open (every 500 ms here, ~15 s by default).
      await waitFor('a heartbeat', () => Promise.resolve(stream.comments.includes('heartbeat')), 3_000, 20);
      expect(await metricValue(a.url, 'holdfast_audit_stream_events_sent_total')).toBeGreaterThanOrEqual(3);
    } finally {
      stream.close();
    }
  });

  it('[AUDIT_STREAM_RESUME] reconnecting with Last-Event-ID (to the other gateway) gets exactly the missed events, in leaf order, none twice', async () => {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    const first = await mustOpen(a.url, { apiKey: alice.apiKey });
    const seen = [
      await rejectedCode(a.url, alice.apiKey, alice.userId, codes[0] ?? '000000'),
      await rejectedCode(a.url, alice.apiKey, alice.userId, codes[0] ?? '000000'),
    ];
    await waitFor('both on the first stream', () => Promise.resolve(seen.every((id) => first.events.some((e) => e.record.attemptId === id))), 5_000, 20);
    first.close();
    const lastId = first.events.at(-1)?.id;
    if (lastId === undefined || lastId === null) throw new Error('no event id on the first stream');

    // While disconnected: more events, on both gateways, all sealed before reconnecting.
    const missed: string[] = [];
    for (let i = 0; i < 4; i += 1) missed.push(await rejectedCode(i % 2 === 0 ? a.url : b.url, alice.apiKey, alice.userId, codes[0] ?? '000000'));
    await waitUntilSealed(env.db, await eventIdOf(missed.at(-1) ?? ''));

    const expected = await sealedLeavesOf(alice.applicationId, Number(lastId));
    expect(expected.length).toBeGreaterThanOrEqual(missed.length);
    const resumed = await mustOpen(b.url, { apiKey: alice.apiKey, lastEventId: lastId });
    const byAfter = await mustOpen(a.url, { apiKey: alice.apiKey, query: `?after=${lastId}` });
    try {
      for (const stream of [resumed, byAfter]) {
        await waitFor('the missed events', () => Promise.resolve(missed.every((id) => stream.events.some((e) => e.record.attemptId === id))), 5_000, 20);
      }
      // A few seal intervals more: nothing repeated, nothing else arrives.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      for (const stream of [resumed, byAfter]) {
        const leaves = stream.events.map((e) => e.record.leafIndex);
        expect(leaves).toEqual(expected);
        expect(stream.events.map((e) => e.id)).toEqual(expected.map(String));
        expect(new Set(stream.events.map((e) => e.record.eventId)).size).toBe(leaves.length);
        expect(stream.events.some((e) => seen.includes(e.record.attemptId ?? ''))).toBe(false);
      }
    } finally {
      resumed.close();
      byAfter.close();
    }
  });

  it("[AUDIT_STREAM_SCOPE] a stream carries only its own application's events; no or a bad key is 401, bad input 400", async () => {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    const bobCodes = await wrongCodes(bob.secret, 1);
    const bobAttempts = [
      await rejectedCode(a.url, bob.apiKey, bob.userId, bobCodes[0] ?? '000000'),
      await rejectedCode(b.url, bob.apiKey, bob.userId, bobCodes[0] ?? '000000'),
    ];
    const aliceAttempt = await rejectedCode(a.url, alice.apiKey, alice.userId, codes[0] ?? '000000');
    await waitUntilSealed(env.db, await eventIdOf(bobAttempts[1] ?? ''));
    await waitUntilSealed(env.db, await eventIdOf(aliceAttempt));

    // From the first leaf: everything of alice's, nothing of bob's nor the canary's.
    const aliceAll = await mustOpen(b.url, { apiKey: alice.apiKey, query: '?after=-1' });
    const bobAll = await mustOpen(a.url, { apiKey: bob.apiKey, query: '?since=2000-01-01T00:00:00Z' });
    try {
      const aliceLeaves = await sealedLeavesOf(alice.applicationId, -1);
      const bobLeaves = await sealedLeavesOf(bob.applicationId, -1);
      await waitFor('alice history', () => Promise.resolve(aliceAll.events.length >= aliceLeaves.length), 5_000, 20);
      await waitFor('bob history', () => Promise.resolve(bobAll.events.length >= bobLeaves.length), 5_000, 20);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const otherLeaves = await env.db.pool.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM audit_leaves l JOIN audit_events e ON e.id = l.audit_event_id WHERE e.application_id IS DISTINCT FROM $1`,
        [alice.applicationId],
      );
      expect(Number(otherLeaves.rows[0]?.n)).toBeGreaterThan(bobLeaves.length); // the canary's and bob's exist
      expect(aliceAll.events.map((e) => e.record.leafIndex)).toEqual(aliceLeaves);
      expect(aliceAll.events.every((e) => e.record.applicationId === alice.applicationId)).toBe(true);
      expect(aliceAll.events.some((e) => bobAttempts.includes(e.record.attemptId ?? ''))).toBe(false);
      expect(aliceAll.events.some((e) => e.record.attemptId === aliceAttempt)).toBe(true);
      expect(bobAll.events.map((e) => e.record.leafIndex)).toEqual(bobLeaves);
      expect(bobAll.events.every((e) => e.record.applicationId === bob.applicationId)).toBe(true);
      expect(bobAll.events.some((e) => bobAttempts.includes(e.record.attemptId ?? ''))).toBe(true);
      // Live too: bob's next event reaches bob's stream, never alice's.
      const live = await rejectedCode(a.url, bob.apiKey, bob.userId, bobCodes[0] ?? '000000');
      await waitFor("bob's live event", () => Promise.resolve(bobAll.events.some((e) => e.record.attemptId === live)), 3_000, 20);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(aliceAll.events.some((e) => e.record.applicationId !== alice.applicationId)).toBe(false);
    } finally {
      aliceAll.close();
      bobAll.close();
    }

    // Refusals in the REST error shape.
    const problem = (body: unknown): Record<string, unknown> => body as Record<string, unknown>;
    for (const apiKey of [undefined, 'hf_notakey', `${alice.apiKey.slice(0, -4)}AAAA`]) {
      const refused = await openStream(a.url, apiKey === undefined ? {} : { apiKey });
      expect(isOpen(refused)).toBe(false);
      if (isOpen(refused)) continue;
      expect(refused.status).toBe(401);
      expect(refused.contentType).toContain('application/problem+json');
      expect(problem(refused.body)).toMatchObject({ status: 401, holdfastCode: 'UNAUTHENTICATED' });
    }
    for (const [options, path] of [
      [{ query: '?after=abc' }, 'after'],
      [{ query: '?after=1.5' }, 'after'],
      [{ query: '?since=yesterday' }, 'since'],
      [{ query: '?applicationId=x' }, ''],
      [{ lastEventId: 'x1' }, 'Last-Event-ID'],
    ] as const) {
      const refused = await openStream(a.url, { apiKey: alice.apiKey, ...options });
      if (isOpen(refused)) throw new Error('bad input accepted');
      expect(refused.status).toBe(400);
      expect(problem(refused.body)).toMatchObject({ status: 400, holdfastCode: 'BAD_REQUEST', issues: [expect.objectContaining({ path })] });
    }
    // A resume position this log never had (another deployment's id): refused, not waited on.
    const beyond = await openStream(a.url, { apiKey: alice.apiKey, lastEventId: '9999999999' });
    expect(isOpen(beyond) ? 200 : beyond.status).toBe(400);
  });

  it('caps open streams per worker (503 GATEWAY_OVERLOADED), and ends open streams cleanly when the gateway stops', async () => {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    await waitFor('earlier streams closed', async () => (await metricValue(b.url, 'holdfast_audit_streams_open')) === 0, 5_000, 50);
    const open = [
      await mustOpen(b.url, { apiKey: alice.apiKey }),
      await mustOpen(b.url, { apiKey: bob.apiKey }),
      await mustOpen(b.url, { apiKey: alice.apiKey }),
    ];
    expect(await metricValue(b.url, 'holdfast_audit_streams_open')).toBe(3);
    const refused = await openStream(b.url, { apiKey: alice.apiKey });
    if (isOpen(refused)) throw new Error('a fourth stream was accepted');
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ status: 503, holdfastCode: 'GATEWAY_OVERLOADED' });
    // Other requests still go through: waiting streams hold no admission slot.
    await rejectedCode(b.url, alice.apiKey, alice.userId, codes[0] ?? '000000');

    const started = Date.now();
    const exit = await b.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(5_000);
    await Promise.all(open.map((stream) => stream.ended));
  });
});
