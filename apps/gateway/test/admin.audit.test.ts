import { readAuditPublicKey } from '@holdfast/api';
import { auditLeafHash, openSignedNote, parseVerifierKey, verifierKey, verifyInclusion, type AuditRecord } from '@holdfast/core';
import type { AdminAuditEvent } from '@holdfast/validators';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAdmin, dataOf, mutate, query, signInEnrollingTotp } from './admin.support';
import { waitFor, waitUntilSealed } from './audit.support';
import { enrollTotpUser, startEnvironment, wrongCodes } from './support/fixtures';

// The admin console's audit page (issue 13) against two real gateway processes (gw-a in region-1,
// gw-b in region-2) on one real Postgres: admin.audit.search|get|status|verify over tRPC, and the
// HTTP routes GET /v1/admin/audit/stream (SSE, every application) and /v1/admin/audit/export.

interface SearchOutput {
  events: AdminAuditEvent[];
  nextCursor: string | null;
}
interface GetOutput {
  event: AdminAuditEvent | null;
  proof: { leafIndex: number; treeSize: number; rootHash: string; path: string[]; checkpoint: string; leafEntry: string; verifierKey: string } | null;
}
interface Verification {
  at: string;
  ok: boolean;
  treeSize: number;
  firstBadLeaf: number | null;
  message: string;
}
interface StatusOutput {
  latestCheckpoint: { treeSize: number; rootHash: string; createdAt: string } | null;
  sealLagMs: number;
  historyRewritten: boolean;
  lastVerification: Verification | null;
}

/** A rejected TOTP code through the relying-app REST API (one audited `verify.rejected` row); returns its attempt id. */
async function rejectedCode(gatewayUrl: string, apiKey: string, userId: string, code: string): Promise<string> {
  const attemptId = `admin-audit-${randomUUID()}`;
  const response = await fetch(`${gatewayUrl}/v1/verify/totp`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ userId, attemptId, code }),
  });
  expect(response.status).toBe(200);
  return attemptId;
}

interface StreamEvent {
  id: string | null;
  event: string | null;
  record: AuditRecord;
}

/** A minimal EventSource over fetch (as audit.stream.test.ts reads the relying application's stream). */
async function openAdminStream(
  gatewayUrl: string,
  bearer: string,
  options: { lastEventId?: string } = {},
): Promise<{ status: number; contentType: string | null; events: StreamEvent[]; comments: string[]; body: unknown; close: () => void }> {
  const abort = new AbortController();
  const response = await fetch(`${gatewayUrl}/v1/admin/audit/stream`, {
    headers: {
      accept: 'text/event-stream',
      authorization: `Bearer ${bearer}`,
      ...(options.lastEventId === undefined ? {} : { 'last-event-id': options.lastEventId }),
    },
    signal: abort.signal,
  });
  const contentType = response.headers.get('content-type');
  const events: StreamEvent[] = [];
  const comments: string[] = [];
  if (response.status !== 200 || response.body === null) {
    return { status: response.status, contentType, events, comments, body: await response.json().catch(() => null), close: () => undefined };
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
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
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) fields.id = line.slice(4);
            else if (line.startsWith('event: ')) fields.event = line.slice(7);
            else if (line.startsWith('data: ')) fields.data.push(line.slice(6));
          }
          if (fields.data.length > 0) events.push({ id: fields.id, event: fields.event, record: JSON.parse(fields.data.join('\n')) as AuditRecord });
        }
      }
    } catch {
      // closed here
    }
  })();
  return {
    status: response.status,
    contentType,
    events,
    comments,
    body: null,
    close: () => {
      abort.abort();
    },
  };
}

async function exportLines(
  gatewayUrl: string,
  bearer: string,
  search: string,
): Promise<{ status: number; contentType: string | null; lines: unknown[]; body: unknown }> {
  const response = await fetch(`${gatewayUrl}/v1/admin/audit/export?${search}`, { headers: { authorization: `Bearer ${bearer}` } });
  const text = await response.text();
  const contentType = response.headers.get('content-type');
  if (response.status !== 200) return { status: response.status, contentType, lines: [], body: JSON.parse(text) as unknown };
  expect(text === '' || text.endsWith('\n')).toBe(true);
  return {
    status: response.status,
    contentType,
    lines: text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as unknown),
    body: null,
  };
}

describe('admin console audit: search, event + proof, status, verify, stream, export', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  let a = '';
  let b = '';
  let alice: Awaited<ReturnType<typeof enrollTotpUser>>;
  let bob: Awaited<ReturnType<typeof enrollTotpUser>>;
  let auditor = '';
  let helpdesk = '';
  let wrong = '000000';
  /** Attempt ids of the rejections made in beforeAll: [alice on a, alice on b, bob on b]. */
  let attempts: string[] = [];
  let startedAt = '';

  const search = async (input: Record<string, unknown>, url = a, bearer = auditor): Promise<SearchOutput> =>
    dataOf<SearchOutput>(await query(url, 'admin.audit.search', bearer, input));

  beforeAll(async () => {
    env = await startEnvironment({
      gateways: 2,
      env: { HOLDFAST_AUDIT_SEAL_INTERVAL_MS: '200', HOLDFAST_AUDIT_STREAM_HEARTBEAT_MS: '500', HOLDFAST_LOCKOUT_THRESHOLD: '100' },
    });
    const [first, second] = env.gateways;
    if (first === undefined || second === undefined) throw new Error('two gateways expected');
    a = first.url;
    b = second.url;
    startedAt = new Date().toISOString();
    alice = await enrollTotpUser({ db: env.db, gatewayUrl: a });
    bob = await enrollTotpUser({ db: env.db, gatewayUrl: a });
    wrong = (await wrongCodes(alice.secret, 1))[0] ?? wrong;
    attempts = [
      await rejectedCode(a, alice.apiKey, alice.userId, wrong),
      await rejectedCode(b, alice.apiKey, alice.userId, wrong),
      await rejectedCode(b, bob.apiKey, bob.userId, wrong),
    ];
    auditor = (await signInEnrollingTotp(a, await createTestAdmin(env.db, 'auditor'))).session.sessionToken;
    helpdesk = (await signInEnrollingTotp(a, await createTestAdmin(env.db, 'helpdesk'))).session.sessionToken;
  }, 120_000);
  afterAll(async () => {
    await env.stop();
  });

  it('each filter narrows the search: application, user (the application’s id), type and type prefix, gateway, region, time', async () => {
    const byApp = await search({ applicationId: alice.applicationId, limit: 200 });
    expect(byApp.events.length).toBeGreaterThan(0);
    expect(byApp.events.every((e) => e.applicationId === alice.applicationId)).toBe(true);
    expect(byApp.events.map((e) => e.attemptId)).toEqual(expect.arrayContaining([attempts[0], attempts[1]]));
    expect(byApp.events.map((e) => e.attemptId)).not.toContain(attempts[2]);

    // The user filter is the application's own id, and the answer names the user the same way.
    const byUser = await search({ applicationId: bob.applicationId, userId: bob.userId, type: 'verify.rejected' });
    expect(byUser.events.map((e) => [e.attemptId, e.userId, e.type])).toEqual([[attempts[2], bob.userId, 'verify.rejected']]);
    expect((await search({ applicationId: bob.applicationId, userId: 'nobody-here' })).events).toEqual([]);
    const userWithoutApp = await query(a, 'admin.audit.search', auditor, { userId: bob.userId });
    expect([userWithoutApp.status, userWithoutApp.code]).toEqual([400, 'BAD_REQUEST']);

    const exact = await search({ type: 'verify.rejected', limit: 200 });
    expect(exact.events.every((e) => e.type === 'verify.rejected')).toBe(true);
    expect(exact.events.map((e) => e.attemptId)).toEqual(expect.arrayContaining(attempts));
    const prefix = await search({ type: 'enrollment.', limit: 200 });
    expect(prefix.events.length).toBeGreaterThan(0);
    expect(prefix.events.every((e) => e.type.startsWith('enrollment.'))).toBe(true);

    const onB = await search({ gateway: 'gw-b', type: 'verify.rejected', limit: 200 });
    expect(onB.events.every((e) => e.gatewayId === 'gw-b')).toBe(true);
    expect(onB.events.map((e) => e.attemptId).sort()).toEqual([attempts[1], attempts[2]].sort());
    const inRegion1 = await search({ region: 'region-1', type: 'verify.rejected', limit: 200 });
    expect(inRegion1.events.map((e) => [e.attemptId, e.gatewayId, e.region])).toEqual([[attempts[0], 'gw-a', 'region-1']]);

    // Time: [since, until). Nothing of this test before it started; the events split at a row's time.
    const all = await search({ type: 'verify.rejected', since: startedAt, limit: 200 });
    expect(all.events.map((e) => e.attemptId).sort()).toEqual([...attempts].sort());
    const middle = all.events.find((e) => e.attemptId === attempts[1]);
    if (middle === undefined) throw new Error('the middle event');
    const before = await search({ type: 'verify.rejected', since: startedAt, until: middle.occurredAt });
    expect(before.events.every((e) => Date.parse(e.occurredAt) < Date.parse(middle.occurredAt))).toBe(true);
    expect(before.events.map((e) => e.attemptId)).toContain(attempts[0]);
    expect(before.events.map((e) => e.attemptId)).not.toContain(attempts[1]);
    const inverted = await query(a, 'admin.audit.search', auditor, { since: middle.occurredAt, until: startedAt });
    expect(inverted.code).toBe('BAD_REQUEST');
  });

  it('pages newest first by row id, with a cursor, to the same rows as one large page', async () => {
    const whole = await search({ applicationId: alice.applicationId, limit: 200 });
    expect(whole.nextCursor).toBeNull();
    const paged: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 100; page += 1) {
      const next: SearchOutput = await search({ applicationId: alice.applicationId, limit: 2, cursor }, b);
      expect(next.events.length).toBeLessThanOrEqual(2);
      paged.push(...next.events.map((e) => e.id));
      cursor = next.nextCursor;
      if (cursor === null) break;
    }
    expect(paged).toEqual(whole.events.map((e) => e.id));
    const ids = paged.map(BigInt);
    expect(ids.every((id, i) => i === 0 || id < (ids[i - 1] ?? 0n))).toBe(true);
    expect(new Set(paged).size).toBe(paged.length);
    expect((await query(a, 'admin.audit.search', auditor, { cursor: 'not-a-cursor' })).code).toBe('BAD_REQUEST');
  });

  it('[AUDIT_INCLUSION_PROOF] get: the event and a proof that verifies offline with the deployment’s public key', async () => {
    const { rows } = await env.db.pool.query<{ id: string; event_id: string }>(
      `SELECT id::text AS id, event_id::text AS event_id FROM audit_events WHERE attempt_id = $1`,
      [attempts[2]],
    );
    const row = rows[0];
    if (row === undefined) throw new Error('the audit row');
    const leafIndex = await waitUntilSealed(env.db, row.id);
    const got = dataOf<GetOutput>(await query(b, 'admin.audit.get', auditor, { eventId: row.event_id }));
    expect(got.event).toMatchObject({
      id: row.id,
      eventId: row.event_id,
      leafIndex,
      userId: bob.userId,
      applicationId: bob.applicationId,
      type: 'verify.rejected',
    });
    const proof = got.proof;
    if (proof === null) throw new Error('a sealed event has a proof');
    expect(proof.leafIndex).toBe(leafIndex);

    // Offline: the key the operator holds (the deployment's), the signed checkpoint, the path.
    const stored = await readAuditPublicKey(env.db.pool);
    if (stored === undefined) throw new Error('the audit key');
    expect(proof.verifierKey).toBe(verifierKey(stored.keyName, stored.publicKey));
    const key = parseVerifierKey(proof.verifierKey);
    if (key === null) throw new Error('a verifier key');
    const checkpoint = openSignedNote({ note: proof.checkpoint, keyName: stored.keyName, publicKey: stored.publicKey });
    if (checkpoint === null) throw new Error('the checkpoint verifies with the public key');
    expect(checkpoint.treeSize).toBe(proof.treeSize);
    expect(Buffer.from(checkpoint.rootHash).toString('hex')).toBe(proof.rootHash);
    const leafHash = auditLeafHash(new Uint8Array(Buffer.from(proof.leafEntry, 'base64')));
    const path = proof.path.map((hash) => new Uint8Array(Buffer.from(hash, 'hex')));
    expect(verifyInclusion({ leafHash, leafIndex, treeSize: checkpoint.treeSize, proof: path, rootHash: checkpoint.rootHash })).toBe(true);
    // The entry is this event's (not any sealed one's), and a different index does not verify.
    expect(Buffer.from(proof.leafEntry, 'base64').toString('utf8')).toContain(row.event_id);
    expect(verifyInclusion({ leafHash, leafIndex: leafIndex + 1, treeSize: checkpoint.treeSize, proof: path, rootHash: checkpoint.rootHash })).toBe(false);

    expect(dataOf<GetOutput>(await query(a, 'admin.audit.get', auditor, { eventId: randomUUID() }))).toEqual({ event: null, proof: null });
  });

  it('status and verify: checkpoint, seal lag, no alarm; a full verification, at most one per 60 s per process', async () => {
    const before = dataOf<StatusOutput>(await query(a, 'admin.audit.status', auditor));
    expect(before.latestCheckpoint?.treeSize).toBeGreaterThan(0);
    expect(before.latestCheckpoint?.rootHash).toMatch(/^[0-9a-f]{64}$/);
    expect(before.sealLagMs).toBeGreaterThanOrEqual(0);
    expect(before.historyRewritten).toBe(false);
    expect(before.lastVerification).toBeNull();

    const verified = dataOf<Verification>(await mutate(a, 'admin.audit.verify', {}, auditor));
    expect(verified).toMatchObject({ ok: true, firstBadLeaf: null });
    expect(verified.treeSize).toBeGreaterThan(0);
    expect(verified.message).toMatch(/^verified/);
    // Within max(60 s, 10 × its duration): the same result, not a second run.
    expect(dataOf<Verification>(await mutate(a, 'admin.audit.verify', {}, auditor))).toEqual(verified);
    const after = dataOf<StatusOutput>(await query(a, 'admin.audit.status', auditor));
    expect(after.lastVerification).toEqual(verified);
  });

  it('[ADMIN_AUDIT_STREAM] the admin stream carries every application’s verifications, live and resumable', async () => {
    const stream = await openAdminStream(b, auditor);
    try {
      expect(stream.status).toBe(200);
      expect(stream.contentType).toContain('text/event-stream');
      await waitFor('the opening comment', () => Promise.resolve(stream.comments.some((c) => c.startsWith('holdfast admin audit stream'))), 5_000, 20);
      const fromAlice = await rejectedCode(a, alice.apiKey, alice.userId, wrong);
      const fromBob = await rejectedCode(a, bob.apiKey, bob.userId, wrong);
      const seen = await waitFor(
        'both verifications on the admin stream',
        () => {
          const first = stream.events.find((e) => e.record.attemptId === fromAlice);
          const second = stream.events.find((e) => e.record.attemptId === fromBob);
          return Promise.resolve(first !== undefined && second !== undefined ? [first, second] : null);
        },
        5_000,
        20,
      );
      for (const event of seen) {
        expect(event.event).toBe('audit');
        expect(event.id).toBe(String(event.record.leafIndex));
        expect(event.record).toMatchObject({ format: 'holdfast-audit-record/v1', type: 'verify.rejected' });
        expect(event.record.checkpoint.treeSize).toBeGreaterThan(event.record.leafIndex);
      }
      expect(seen.map((e) => e.record.applicationId)).toEqual([alice.applicationId, bob.applicationId]);

      // Resume after the first of the two (Last-Event-ID, as EventSource sends it), on the other gateway.
      const [first, second] = seen.sort((x, y) => x.record.leafIndex - y.record.leafIndex);
      if (first === undefined || second === undefined) throw new Error('two events');
      const resumed = await openAdminStream(a, auditor, { lastEventId: String(first.record.leafIndex) });
      try {
        await waitFor(
          'the second event after resuming',
          () => Promise.resolve(resumed.events.some((e) => e.record.eventId === second.record.eventId)),
          5_000,
          20,
        );
        expect(resumed.events.some((e) => e.record.eventId === first.record.eventId)).toBe(false);
        expect(resumed.events.every((e) => e.record.leafIndex > first.record.leafIndex)).toBe(true);
      } finally {
        resumed.close();
      }
    } finally {
      stream.close();
    }
  });

  it('exports a search as NDJSON records and as OCSF: the sealed events of the search, nothing else', async () => {
    const filters = `applicationId=${alice.applicationId}&type=verify.rejected&since=${encodeURIComponent(startedAt)}`;
    const found = await search({ applicationId: alice.applicationId, type: 'verify.rejected', since: startedAt, limit: 200 });
    for (const event of found.events) await waitUntilSealed(env.db, event.id);
    const ndjson = await exportLines(b, auditor, filters);
    expect(ndjson.status).toBe(200);
    expect(ndjson.contentType).toContain('application/x-ndjson');
    const records = ndjson.lines as AuditRecord[];
    expect(records.map((r) => r.eventId).sort()).toEqual(found.events.map((e) => e.eventId).sort());
    expect(records.every((r) => r.applicationId === alice.applicationId && r.type === 'verify.rejected' && r.checkpoint.treeSize > r.leafIndex)).toBe(true);
    // Leaf order, as the CLI export and the stream.
    expect(records.map((r) => r.leafIndex)).toEqual([...records.map((r) => r.leafIndex)].sort((x, y) => x - y));

    const ocsf = await exportLines(b, auditor, `${filters}&format=ocsf`);
    expect(ocsf.status).toBe(200);
    const events = ocsf.lines as { class_uid: number; metadata: { uid: string; correlation_uid?: string } }[];
    expect(events.map((e) => e.metadata.uid).sort()).toEqual(records.map((r) => r.eventId).sort());
    expect(events.every((e) => e.class_uid === 3002)).toBe(true);

    // The user filter works on the export too; a bad query is a problem document.
    const bobs = await exportLines(a, auditor, `applicationId=${bob.applicationId}&userId=${encodeURIComponent(bob.userId)}&type=verify.rejected`);
    expect((bobs.lines as AuditRecord[]).every((r) => r.applicationId === bob.applicationId)).toBe(true);
    const bad = await exportLines(a, auditor, 'format=csv');
    expect(bad.status).toBe(400);
    expect(bad.contentType).toContain('application/problem+json');
    expect(bad.body).toMatchObject({ status: 400, holdfastCode: 'BAD_REQUEST' });

    // Every export started leaves an admin.action row before its first line: filters, format, the
    // tree size it is as of. No application on it: the operators' own trail (with the admin's email).
    const traced = await env.db.pool.query<{ application_id: string | null; detail: Record<string, unknown> }>(
      `SELECT application_id::text AS application_id, detail FROM audit_events
        WHERE type = 'admin.action' AND detail->>'target' = 'audit:export' ORDER BY id`,
    );
    expect(traced.rows.map((row) => (row.detail.after as { format: string }).format)).toEqual(['ndjson', 'ocsf', 'ndjson']);
    expect(String(traced.rows[0]?.detail.adminEmail)).toMatch(/^auditor-.*@holdfast\.example$/);
    expect(traced.rows[0]).toMatchObject({
      application_id: null,
      detail: {
        action: 'audit.read',
        adminRole: 'auditor',
        after: {
          route: 'export',
          format: 'ndjson',
          filters: { applicationId: alice.applicationId, type: 'verify.rejected', since: startedAt },
          treeSize: records[0]?.checkpoint.treeSize,
        },
      },
    });
  });

  it('[ADMIN_AUDIT_REAUTH] an open admin stream is audited when it opens and ends within ~10 s of its session being revoked', async () => {
    const reader = await createTestAdmin(env.db, 'auditor');
    const token = (await signInEnrollingTotp(a, reader)).session.sessionToken;
    const stream = await openAdminStream(a, token);
    try {
      expect(stream.status).toBe(200);
      await waitFor('the opening comment', () => Promise.resolve(stream.comments.some((c) => c.startsWith('holdfast admin audit stream'))), 5_000, 20);
      const opened = await env.db.pool.query<{ application_id: string | null; detail: Record<string, unknown> }>(
        `SELECT application_id::text AS application_id, detail FROM audit_events
          WHERE type = 'admin.action' AND detail->>'target' = 'audit:stream' AND detail->>'adminId' = $1`,
        [reader.id],
      );
      expect(opened.rows).toHaveLength(1);
      expect(opened.rows[0]).toMatchObject({
        application_id: null,
        detail: { action: 'audit.read', adminEmail: reader.email, after: { route: 'stream', since: null } },
      });
      expect(typeof (opened.rows[0]?.detail.after as { treeSize?: unknown } | undefined)?.treeSize).toBe('number');
      await env.db.pool.query('UPDATE admin_sessions SET revoked_at = GREATEST(now(), created_at) WHERE admin_id = $1 AND revoked_at IS NULL', [reader.id]);
      const revokedAt = Date.now();
      await waitFor('the stream to end', () => Promise.resolve(stream.comments.includes('admin session ended')), 15_000, 100);
      expect(Date.now() - revokedAt).toBeLessThan(13_000);
    } finally {
      stream.close();
    }
  }, 30_000);

  it('roles and credentials: auditors read; helpdesk is ADMIN_FORBIDDEN; a relying-app API key is never an admin credential', async () => {
    for (const url of [a, b]) {
      const refused = await query(url, 'admin.audit.search', helpdesk, {});
      expect([refused.status, refused.code]).toEqual([403, 'ADMIN_FORBIDDEN']);
      expect((await query(url, 'admin.audit.status', helpdesk)).code).toBe('ADMIN_FORBIDDEN');
      expect((await mutate(url, 'admin.audit.verify', {}, helpdesk)).code).toBe('ADMIN_FORBIDDEN');
      const keyed = await query(url, 'admin.audit.search', alice.apiKey, {});
      expect([keyed.status, keyed.code]).toEqual([401, 'ADMIN_SESSION_INVALID']);
      expect((await query(url, 'admin.audit.get', alice.apiKey, { eventId: randomUUID() })).code).toBe('ADMIN_SESSION_INVALID');
    }
    for (const [bearer, status, code] of [
      [helpdesk, 403, 'ADMIN_FORBIDDEN'],
      [alice.apiKey, 401, 'ADMIN_SESSION_INVALID'],
    ] as const) {
      const stream = await openAdminStream(a, bearer);
      expect(stream.status).toBe(status);
      expect(stream.contentType).toContain('application/problem+json');
      expect(stream.body).toMatchObject({ status, holdfastCode: code });
      const exported = await exportLines(a, bearer, 'format=ndjson');
      expect(exported.status).toBe(status);
      expect(exported.contentType).toContain('application/problem+json');
      expect(exported.body).toMatchObject({ status, holdfastCode: code });
    }
    // The refusals are audited (admin.action, refused), as every admin refusal.
    const { rows } = await env.db.pool.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM audit_events WHERE type = 'admin.action' AND detail->>'action' = 'audit.read'`,
    );
    expect(Number(rows[0]?.n)).toBeGreaterThan(0);
  });

  it('[AUDIT_TAMPER_EDIT] after a superuser edits a sealed row, verify fails and names its leaf', async () => {
    const { rows } = await env.db.pool.query<{ id: string }>(`SELECT id::text AS id FROM audit_events WHERE attempt_id = $1`, [attempts[0]]);
    const id = rows[0]?.id;
    if (id === undefined) throw new Error('the audit row');
    const leafIndex = await waitUntilSealed(env.db, id);
    await env.db.pool.query(`UPDATE audit_events SET detail = detail || '{"tampered": true}'::jsonb WHERE id = $1`, [id]);
    try {
      // Gateway b has run no verification yet: this one runs now.
      const result = dataOf<Verification>(await mutate(b, 'admin.audit.verify', {}, auditor));
      expect(result).toMatchObject({ ok: false, firstBadLeaf: leafIndex });
      expect(result.message).toContain('row_edited');
      expect(dataOf<StatusOutput>(await query(b, 'admin.audit.status', auditor)).lastVerification).toEqual(result);
    } finally {
      await env.db.pool.query(`UPDATE audit_events SET detail = detail - 'tampered' WHERE id = $1`, [id]);
    }
  });
});
