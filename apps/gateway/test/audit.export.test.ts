import { auditEventTypes, auditRecordToOcsf, ocsfExportJsonSchema, type AuditRecord } from '@holdfast/core';
import { createHoldfastClient } from '@holdfast/sdk';
import Ajv2020 from 'ajv/dist/2020';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAuditCli, waitUntilSealed } from './audit.support';
import { enrollTotpUser, freshCode, startEnvironment, wrongCodes } from './support/fixtures';
import { beginPush, enrollPushUser, sendDeviceAnswer } from './support/push-device';

interface OcsfLine {
  class_uid: number;
  activity_id: number;
  type_uid: number;
  status_id: number;
  time: number;
  metadata: { uid: string; sequence: number; event_code: string; tags: { name: string; value: string }[] };
  auth_factors?: { factor_type_id: number; factor_type: string }[];
  user?: { uid?: string };
}

interface EcsLine {
  '@timestamp': string;
  event: { kind: string; category: string[]; type: string[]; action: string; outcome: string; id: string; sequence: number };
  user?: { id: string };
  service: { name: string };
  observer: { name: string };
  labels: Record<string, string>;
  holdfast: { leaf_index: number; checkpoint: { tree_size: number; root_hash: string; note: string } };
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
const validateOcsf = ajv.compile(ocsfExportJsonSchema);

function linesOf(stdout: string): unknown[] {
  expect(stdout.endsWith('\n')).toBe(true);
  return stdout
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
}

function tag(line: OcsfLine, name: string): string | undefined {
  return line.metadata.tags.find((t) => t.name === name)?.value;
}

// Issue 12: `holdfast audit export --format ocsf|ecs|ndjson` streams sealed records for a SIEM.
// Real authentication events are made through a real gateway, sealed, exported by the real CLI,
// and every OCSF line is validated against our OCSF 1.7.0 JSON Schema with ajv.
describe('[AUDIT_EXPORT_OCSF] audit export of real authentication events', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  let stateDir: string;
  /** Audit event id (event_id UUID) → what the test expects of its OCSF line. */
  const expected = new Map<string, { type: string; factorTypeId: number; statusId: number; userId: string }>();
  let since: Date;
  let beforeSinceEventId: string;

  async function auditEventIdOf(attemptId: string, type: string): Promise<{ id: string; eventId: string }> {
    const { rows } = await env.db.pool.query<{ id: string; event_id: string }>(
      'SELECT id::text AS id, event_id::text AS event_id FROM audit_events WHERE attempt_id = $1 AND type = $2',
      [attemptId, type],
    );
    const row = rows[0];
    if (row === undefined) throw new Error(`no ${type} audit row for attempt ${attemptId}`);
    return { id: row.id, eventId: row.event_id };
  }

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'holdfast-audit-export-'));
    env = await startEnvironment({ gateways: 1, env: { HOLDFAST_AUDIT_STATE_DIR: stateDir } });
    const [gateway] = env.gateways;
    if (gateway === undefined) throw new Error('gateway expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: gateway.url, withRecoveryCodes: true });
    const enrolled = await env.db.pool.query<{ event_id: string }>(
      `SELECT event_id::text AS event_id FROM audit_events WHERE type = 'factor.enrolled' AND user_id IS NOT NULL ORDER BY id DESC LIMIT 1`,
    );
    beforeSinceEventId = enrolled.rows[0]?.event_id ?? '';
    // --since is checked against this instant: the enrollment happened before it, the logins after.
    await new Promise((resolve) => setTimeout(resolve, 50));
    since = new Date();
    await new Promise((resolve) => setTimeout(resolve, 50));

    const app = createHoldfastClient({ gateways: [gateway.url], apiKey: user.apiKey, deadlineMs: 20_000 });
    const { rows: users } = await env.db.pool.query<{ id: string }>('SELECT id::text AS id FROM users WHERE external_id = $1', [user.userId]);
    const internalUserId = users[0]?.id ?? '';
    const made: { attemptId: string; type: string; factorTypeId: number; statusId: number; userId: string }[] = [];
    const [wrong = ''] = await wrongCodes(user.secret, 1);
    let attemptId = randomUUID();
    expect(await app.verifyTotp({ userId: user.userId, code: wrong, attemptId })).toMatchObject({ outcome: 'rejected' });
    made.push({ attemptId, type: 'verify.rejected', factorTypeId: 7, statusId: 2, userId: internalUserId });
    attemptId = randomUUID();
    const { code } = await freshCode(user.secret, user.confirmedStep);
    expect(await app.verifyTotp({ userId: user.userId, code, attemptId })).toMatchObject({ outcome: 'accepted' });
    made.push({ attemptId, type: 'verify.accepted', factorTypeId: 7, statusId: 1, userId: internalUserId });
    const [recoveryCode = ''] = user.recoveryCodes;
    attemptId = randomUUID();
    expect(await app.verifyRecoveryCode({ userId: user.userId, code: recoveryCode, attemptId })).toMatchObject({ outcome: 'accepted' });
    made.push({ attemptId, type: 'verify.accepted', factorTypeId: 99, statusId: 1, userId: internalUserId });
    attemptId = randomUUID();
    expect(await app.verifyRecoveryCode({ userId: user.userId, code: recoveryCode, attemptId })).toMatchObject({ outcome: 'rejected' });
    made.push({ attemptId, type: 'verify.rejected', factorTypeId: 99, statusId: 2, userId: internalUserId });
    app.close();

    // A push approved on a paired (simulated) phone.
    const pushUser = await enrollPushUser({ db: env.db, gatewayUrl: gateway.url });
    attemptId = randomUUID();
    const begun = await beginPush(gateway.url, pushUser, { attemptId });
    const answered = await sendDeviceAnswer(
      gateway.url,
      pushUser.device.signAnswer({ transactionId: begun.transactionId, typedNumber: begun.number, decision: 'approve' }),
    );
    expect(answered.status).toBe(200);
    const { rows: pushUsers } = await env.db.pool.query<{ id: string }>('SELECT id::text AS id FROM users WHERE external_id = $1', [pushUser.userId]);
    made.push({ attemptId, type: 'push.approved', factorTypeId: 5, statusId: 1, userId: pushUsers[0]?.id ?? '' });

    let newest = '';
    for (const event of made) {
      const row = await auditEventIdOf(event.attemptId, event.type);
      expected.set(row.eventId, event);
      newest = row.id;
    }
    await waitUntilSealed(env.db, newest);
  });

  afterAll(async () => {
    await env.stop();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('every OCSF line validates against our OCSF 1.7.0 schema; factor types, leaf indexes and checkpoints are right', async () => {
    const result = await runAuditCli(['export', '--format', 'ocsf'], env.gatewayDatabaseUrl);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = linesOf(result.stdout) as OcsfLine[];
    for (const line of lines) {
      const isValid = validateOcsf(line);
      expect(isValid, `${line.metadata.event_code}: ${ajv.errorsText(validateOcsf.errors)}`).toBe(true);
    }
    // Leaf order, each leaf once, every leaf below the checkpoint it carries.
    const sequences = lines.map((line) => line.metadata.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(new Set(sequences).size).toBe(sequences.length);
    const leaves = await env.db.pool.query<{ event_id: string; leaf_index: string }>(
      'SELECT e.event_id::text AS event_id, l.leaf_index::text AS leaf_index FROM audit_leaves l JOIN audit_events e ON e.id = l.audit_event_id',
    );
    const leafOf = new Map(leaves.rows.map((row) => [row.event_id, Number(row.leaf_index)]));
    const checkpoints = await env.db.pool.query<{ tree_size: string; note: string }>('SELECT tree_size::text AS tree_size, note FROM audit_checkpoints');
    const noteOf = new Map(checkpoints.rows.map((row) => [Number(row.tree_size), row.note]));
    for (const line of lines) {
      expect(line.metadata.sequence).toBe(leafOf.get(line.metadata.uid));
      const treeSize = Number(tag(line, 'holdfast.checkpoint.tree_size'));
      expect(treeSize).toBeGreaterThan(line.metadata.sequence);
      expect(tag(line, 'holdfast.checkpoint.note')).toBe(noteOf.get(treeSize));
      expect(tag(line, 'holdfast.leaf_index')).toBe(String(line.metadata.sequence));
    }
    expect(lines.length).toBe(Number(tag(lines.at(-1) ?? (lines[0] as OcsfLine), 'holdfast.checkpoint.tree_size')));
    // The authentication events made above: Authentication (3002) Logon with their factor types.
    for (const [eventId, want] of expected) {
      const line = lines.find((l) => l.metadata.uid === eventId);
      expect(line, `${want.type} ${eventId} exported`).toBeDefined();
      expect(line).toMatchObject({ class_uid: 3002, activity_id: 1, type_uid: 300201, status_id: want.statusId, user: { uid: want.userId } });
      expect(line?.auth_factors?.map((f) => f.factor_type_id)).toEqual([want.factorTypeId]);
    }
    const factorTypes = new Set([...expected.values()].map((want) => want.factorTypeId));
    expect(factorTypes).toEqual(new Set([5, 7, 99]));
    // Enrollment: Account Change (3001) MFA Factor Enable.
    expect(lines.find((l) => l.metadata.uid === beforeSinceEventId)).toMatchObject({ class_uid: 3001, activity_id: 10, type_uid: 300110 });
  });

  it('--since, --after-leaf and --application select; ECS and NDJSON carry their fields', async () => {
    const sinceResult = await runAuditCli(['export', '--format', 'ocsf', '--since', since.toISOString()], env.gatewayDatabaseUrl);
    expect(sinceResult.code).toBe(0);
    const recent = linesOf(sinceResult.stdout) as OcsfLine[];
    for (const line of recent) expect(line.time).toBeGreaterThanOrEqual(since.getTime());
    const recentIds = new Set(recent.map((line) => line.metadata.uid));
    for (const eventId of expected.keys()) expect(recentIds.has(eventId)).toBe(true);
    expect(recentIds.has(beforeSinceEventId)).toBe(false);
    expect((linesOf((await runAuditCli(['export', '--format', 'ocsf', '--since', '1h'], env.gatewayDatabaseUrl)).stdout) as OcsfLine[]).length).toBeGreaterThan(
      recent.length,
    );

    const afterLeaf = recent[1]?.metadata.sequence ?? 0;
    const tail = linesOf(
      (await runAuditCli(['export', '--format', 'ndjson', '--after-leaf', String(afterLeaf)], env.gatewayDatabaseUrl)).stdout,
    ) as AuditRecord[];
    expect(tail.length).toBeGreaterThan(0);
    for (const record of tail) {
      expect(record.leafIndex).toBeGreaterThan(afterLeaf);
      expect(record).toMatchObject({ format: 'holdfast-audit-record/v1', checkpoint: { note: expect.stringContaining('\n') as string } });
      expect(record.checkpoint.treeSize).toBeGreaterThan(record.leafIndex);
    }

    const ecsResult = await runAuditCli(['export', '--format', 'ecs', '--since', since.toISOString()], env.gatewayDatabaseUrl);
    expect(ecsResult.code).toBe(0);
    const documents = linesOf(ecsResult.stdout) as EcsLine[];
    // Later runs may see more sealed events (the log keeps growing): the earlier run's are a prefix.
    expect(documents.slice(0, recent.length).map((d) => d.event.id)).toEqual(recent.map((l) => l.metadata.uid));
    for (const [eventId, want] of expected) {
      const document = documents.find((d) => d.event.id === eventId);
      expect(document).toMatchObject({
        event: { kind: 'event', category: ['authentication'], type: ['start'], action: want.type, outcome: want.statusId === 1 ? 'success' : 'failure' },
        user: { id: want.userId },
        service: { name: 'holdfast' },
        observer: { name: 'gw-a' },
      });
      expect(document?.['@timestamp']).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(document?.holdfast.leaf_index).toBe(document?.event.sequence);
      expect(document?.labels.holdfast_leaf_index).toBe(String(document?.event.sequence));
      expect(document?.holdfast.checkpoint.tree_size).toBeGreaterThan(document?.event.sequence ?? Infinity);
    }

    const { rows } = await env.db.pool.query<{ id: string }>(`SELECT application_id::text AS id FROM audit_events WHERE event_id = $1`, [
      [...expected.keys()][0],
    ]);
    const applicationId = rows[0]?.id ?? '';
    const scoped = linesOf(
      (await runAuditCli(['export', '--format', 'ndjson', '--application', applicationId], env.gatewayDatabaseUrl)).stdout,
    ) as AuditRecord[];
    expect(scoped.length).toBeGreaterThan(0);
    for (const record of scoped) expect(record.applicationId).toBe(applicationId);
  });

  it('bad flags exit 2 with a message naming the flag', async () => {
    const result = await runAuditCli(['export', '--format', 'csv'], env.gatewayDatabaseUrl);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--format must be ocsf, ecs or ndjson');
    expect(result.stdout).toBe('');
    const since = await runAuditCli(['export', '--format', 'ocsf', '--since', 'last tuesday'], env.gatewayDatabaseUrl);
    expect(since.code).toBe(2);
    expect(since.stderr).toContain('--since must be');
  });
});

describe('[AUDIT_EXPORT_OCSF] the mapping of every audit event type validates; a broken mapping does not', () => {
  const checkpoint = {
    treeSize: 9,
    rootHash: 'q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJo=',
    note: 'holdfast.audit/ab12cd34\n9\nq83v\n\n— holdfast.audit/ab12cd34 AAAA\n',
  };
  const record = (type: string, detail: Record<string, unknown>, userId: string | null): AuditRecord => ({
    format: 'holdfast-audit-record/v1',
    leafIndex: 3,
    eventId: randomUUID(),
    occurredAt: new Date().toISOString(),
    type,
    applicationId: randomUUID(),
    userId,
    factorId: randomUUID(),
    attemptId: null,
    gatewayId: 'gw-a',
    region: 'region-1',
    detail,
    checkpoint,
  });

  it('every type, with and without a user or factor kind, and an unknown future type', () => {
    for (const type of [...auditEventTypes, 'gateway.started']) {
      for (const detail of [
        {},
        { kind: 'totp', reason: 'wrong_code' },
        { kind: 'recovery_codes' },
        { kind: 'webauthn' },
        { kind: 'push', outcome: 'accepted' },
        { keyId: 'hf_k' },
      ]) {
        for (const userId of [randomUUID(), null]) {
          const event = auditRecordToOcsf(record(type, detail, userId), { productVersion: '0.1.0' });
          expect(validateOcsf(event), `${type} ${JSON.stringify(detail)}: ${ajv.errorsText(validateOcsf.errors)}`).toBe(true);
        }
      }
    }
  });

  it('the schema refuses what a broken mapping would emit', () => {
    const good = auditRecordToOcsf(record('verify.accepted', { kind: 'totp' }, randomUUID()));
    expect(validateOcsf(good)).toBe(true);
    const broken: unknown[] = [
      { ...good, type_uid: 300202 },
      { ...good, class_uid: 3005 },
      { ...good, activity_name: 'Logoff' },
      { ...good, status_id: 3 },
      { ...good, status: 'Failure' },
      { ...good, severity_id: 7 },
      { ...good, time: good.unmapped.holdfast.type },
      { ...good, metadata: { ...good.metadata, version: '1.3.0' } },
      { ...good, metadata: { ...good.metadata, sequence: '3' } },
      { ...good, auth_factors: [{ factor_type_id: 12, factor_type: 'Carrier Pigeon' }] },
      { ...good, auth_factors: [{ factor_type_id: 7, factor_type: 'WebAuthn' }] },
      { ...good, user: {} },
      { ...good, user: undefined },
      { ...good, service: undefined, dst_endpoint: undefined },
      { ...good, leaf_index: 3 },
    ].map((event) => JSON.parse(JSON.stringify(event)) as unknown);
    for (const event of broken) expect(validateOcsf(event), JSON.stringify(event).slice(0, 120)).toBe(false);
  });
});
