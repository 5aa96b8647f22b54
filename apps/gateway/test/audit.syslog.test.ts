import type { AuditRecord } from '@holdfast/core';
import { createDatabase, writeAuditEvent, type Database } from '@holdfast/db';
import { findFreePort } from '@holdfast/db/testing';
import { startProcess, type RunningProcess } from '@holdfast/process';
import { makeCertificate } from '@holdfast/process/push-service';
import { createHoldfastClient } from '@holdfast/sdk';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, waitFor } from './audit.support';
import { enrollTotpUser, startEnvironment, wrongCodes } from './support/fixtures';

// Issue 12: the syslog forwarder resumes where it stopped. A real collector (its own process,
// test/support/syslog-receiver.ts) is stopped with SIGTERM while audited events keep coming and
// started again on the same port: every sealed leaf arrives exactly once, in order, each carrying
// its leaf index and a signed checkpoint that covers it, and the lag metric shows the outage.

const receiverScript = fileURLToPath(new URL('./support/syslog-receiver.ts', import.meta.url));
const gatewayDir = fileURLToPath(new URL('..', import.meta.url));

interface ReceivedMessage {
  pri: number;
  hostname: string;
  msgId: string;
  leaf: number;
  eventId: string;
  treeSize: number;
  rootHash: string;
  record: AuditRecord;
}

// RFC 5424 with our one SD element, as a collector's parser would read it (the grammar itself is
// core's unit test); MSG = BOM + JSON.
const syslogLine =
  /^<(\d{1,3})>1 (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z) (\S{1,255}) holdfast - (\S{1,32}) \[holdfast@32473 leaf="(\d+)" eventId="([^"\\\]]+)" treeSize="(\d+)" rootHash="([^"\\\]]+)"\] \uFEFF(\{.*\})$/su;

/** What a receiver run wrote: one base64 message a line; a framing error fails the test. */
function readReceived(file: string): ReceivedMessage[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      if (line.startsWith('FRAMING_ERROR')) throw new Error(`the receiver saw broken framing: ${line}`);
      const text = Buffer.from(line, 'base64').toString('utf8');
      const match = syslogLine.exec(text);
      if (match === null) throw new Error(`not an RFC 5424 message of ours: ${text.slice(0, 200)}`);
      const [, pri, , hostname, msgId, leaf, eventId, treeSize, rootHash, json] = match;
      return {
        pri: Number(pri),
        hostname: hostname ?? '',
        msgId: msgId ?? '',
        leaf: Number(leaf),
        eventId: eventId ?? '',
        treeSize: Number(treeSize),
        rootHash: rootHash ?? '',
        record: JSON.parse(json ?? 'null') as AuditRecord,
      };
    });
}

function startReceiver(options: { port: number; out: string; tlsFiles?: { keyFile: string; certFile: string } }): Promise<RunningProcess> {
  return startProcess({
    name: 'syslog receiver',
    args: ['--import', 'tsx', receiverScript],
    cwd: gatewayDir,
    env: {
      PATH: process.env.PATH ?? '',
      SYSLOG_PORT: String(options.port),
      SYSLOG_OUT: options.out,
      ...(options.tlsFiles === undefined ? {} : { SYSLOG_TLS_KEY_FILE: options.tlsFiles.keyFile, SYSLOG_TLS_CERT_FILE: options.tlsFiles.certFile }),
    },
    ready: { line: /syslog receiver listening/ },
    readyTimeoutMs: 30_000,
    stopTimeoutMs: 15_000,
  });
}

async function metric(gatewayUrl: string, name: string): Promise<number | null> {
  const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
  const value = new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1];
  return value === undefined ? null : Number(value);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function forwarderScenario(protocol: 'tcp' | 'tls'): void {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  let dir: string;
  let certificate: Awaited<ReturnType<typeof makeCertificate>> | null = null;
  let writerDb: Database;
  let receiver: RunningProcess | null = null;
  let port: number;
  let tlsFiles: { keyFile: string; certFile: string } | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'holdfast-syslog-test-'));
    port = await findFreePort();
    if (protocol === 'tls') {
      certificate = await makeCertificate();
      tlsFiles = { keyFile: join(certificate.dir, 'key.pem'), certFile: certificate.certFile };
    }
    receiver = await startReceiver({ port, out: join(dir, 'run-1.log'), ...(tlsFiles === undefined ? {} : { tlsFiles }) });
    env = await startEnvironment({
      gateways: 1,
      env: {
        HOLDFAST_AUDIT_STATE_DIR: join(dir, 'state'),
        HOLDFAST_AUDIT_SYSLOG_URL: `${protocol}://127.0.0.1:${String(port)}`,
        ...(certificate === null ? {} : { HOLDFAST_AUDIT_SYSLOG_CA_FILE: certificate.certFile }),
        HOLDFAST_AUDIT_SYSLOG_INTERVAL_MS: '200',
        // Small pages: a stop lands between pages as well as inside one.
        HOLDFAST_AUDIT_SYSLOG_BATCH: '40',
      },
    });
    writerDb = createDatabase({ url: env.gatewayDatabaseUrl, poolMax: 2 });
  });
  afterAll(async () => {
    await writerDb.close();
    await env.stop();
    await receiver?.stop();
    await rm(dir, { recursive: true, force: true });
    if (certificate !== null) await rm(certificate.dir, { recursive: true, force: true });
  });

  it('the collector is stopped (SIGTERM) and started while events keep coming: every sealed leaf exactly once, in order, with a checkpoint covering it', async () => {
    const [gateway] = env.gateways;
    if (gateway === undefined) throw new Error('gateway expected');
    await waitFor('the forwarder connected', async () => (await metric(gateway.url, 'holdfast_audit_syslog_connected')) === 1, 20_000);

    // Audited traffic through the API: an enrollment and rejected codes.
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: gateway.url });
    const app = createHoldfastClient({ gateways: [gateway.url], apiKey: user.apiKey, deadlineMs: 20_000 });
    for (const code of await wrongCodes(user.secret, 2)) {
      expect(await app.verifyTotp({ userId: user.userId, code })).toMatchObject({ outcome: 'rejected' });
    }
    // And a steady stream of rows written as gateways write them (multi-byte detail: lengths in bytes).
    let isWriting = true;
    let written = 0;
    const writers = Array.from({ length: 2 }, async (_, w) => {
      while (isWriting) {
        await writeAuditEvent(writerDb.pool, { type: 'keys.rotated', gatewayId: 'load', region: 'test', detail: { w, n: written, note: 'é ✓ 🔐 "]\\' } });
        written += 1;
        await sleep(5);
      }
    });
    let lagWhileDown = 0;
    try {
      await waitFor('records forwarded to the first receiver', () => Promise.resolve(readReceived(join(dir, 'run-1.log')).length > 20), 20_000);
      await sleep(1_000);
      // Stopped mid-stream: the receiver drains its connections, then exits 0.
      const exit = await receiver?.stop();
      receiver = null;
      expect(exit?.code).toBe(0);
      await waitFor(
        'the lag metric to rise while the collector is down',
        async () => {
          lagWhileDown = Math.max(lagWhileDown, (await metric(gateway.url, 'holdfast_audit_syslog_lag_leaves')) ?? 0);
          return lagWhileDown > 0;
        },
        15_000,
      );
      expect(await metric(gateway.url, 'holdfast_audit_syslog_connected')).toBe(0);
      const readyz = (await (await fetch(`${gateway.url}/readyz`)).json()) as { auditForwarder?: { connected: boolean; lagLeaves: number } };
      expect(readyz.auditForwarder?.connected).toBe(false);
      await sleep(2_000);
      receiver = await startReceiver({ port, out: join(dir, 'run-2.log'), ...(tlsFiles === undefined ? {} : { tlsFiles }) });
      await sleep(1_000);
    } finally {
      isWriting = false;
      await Promise.all(writers);
      app.close();
    }
    expect(written).toBeGreaterThan(50);

    // Everything written is sealed, then forwarded: the lag goes back to 0.
    const lastId = await count(env.db, 'SELECT max(id) FROM audit_events');
    await waitFor(
      'every row sealed',
      async () =>
        (await count(
          env.db,
          'SELECT count(*) FROM audit_events e WHERE e.id <= $1 AND NOT EXISTS (SELECT 1 FROM audit_leaves l WHERE l.audit_event_id = e.id)',
          [lastId],
        )) === 0,
      20_000,
    );
    const treeSize = await count(env.db, 'SELECT max(tree_size) FROM audit_checkpoints');
    await waitFor(
      'every sealed leaf at the collector',
      () => Promise.resolve(readReceived(join(dir, 'run-1.log')).length + readReceived(join(dir, 'run-2.log')).length >= treeSize),
      20_000,
    );
    await waitFor('the lag metric back to 0', async () => (await metric(gateway.url, 'holdfast_audit_syslog_lag_leaves')) === 0, 20_000, 50);
    expect(lagWhileDown).toBeGreaterThan(0);

    const first = readReceived(join(dir, 'run-1.log'));
    const second = readReceived(join(dir, 'run-2.log'));
    expect(first.length).toBeGreaterThan(0);
    expect(second.length).toBeGreaterThan(0);
    const received = [...first, ...second];
    // Nothing lost, nothing twice, in leaf order — across the restart.
    expect(received.map((message) => message.leaf)).toEqual(received.map((_, i) => i));
    expect(received.length).toBeGreaterThanOrEqual(treeSize);

    const leaves = new Map(
      (
        await env.db.pool.query<{ leaf_index: string; event_id: string; type: string }>(
          `SELECT l.leaf_index::text AS leaf_index, e.event_id::text AS event_id, e.type FROM audit_leaves l JOIN audit_events e ON e.id = l.audit_event_id`,
        )
      ).rows.map((row) => [Number(row.leaf_index), row]),
    );
    const checkpoints = new Map(
      (
        await env.db.pool.query<{ tree_size: string; root_hash: Buffer; note: string }>(
          'SELECT tree_size::text AS tree_size, root_hash, note FROM audit_checkpoints',
        )
      ).rows.map((row) => [Number(row.tree_size), row]),
    );
    for (const message of received) {
      const row = leaves.get(message.leaf);
      expect(row?.event_id).toBe(message.eventId);
      expect(message.record.leafIndex).toBe(message.leaf);
      expect(message.record.eventId).toBe(message.eventId);
      expect(message.record.type).toBe(row?.type);
      expect(message.msgId).toBe(message.record.type);
      expect(message.hostname).toBe(message.record.gatewayId);
      expect(message.pri >> 3).toBe(10);
      // The checkpoint it carries covers it and is one the log signed.
      expect(message.treeSize).toBeGreaterThan(message.leaf);
      expect(message.record.checkpoint.treeSize).toBe(message.treeSize);
      expect(message.record.checkpoint.rootHash).toBe(message.rootHash);
      const checkpoint = checkpoints.get(message.treeSize);
      expect(checkpoint?.root_hash.toString('base64')).toBe(message.rootHash);
      expect(checkpoint?.note).toBe(message.record.checkpoint.note);
    }
    expect(received.some((message) => message.record.type === 'verify.rejected' && message.pri === 85)).toBe(true);
    expect(received.some((message) => message.record.type === 'keys.rotated' && message.record.detail.note === 'é ✓ 🔐 "]\\')).toBe(true);
  });
}

describe('[AUDIT_SYSLOG_RESUME] the syslog forwarder resumes after a collector restart (TCP)', () => {
  forwarderScenario('tcp');
});

describe('[AUDIT_SYSLOG_TLS] the same over TLS, the collector certificate checked against a private CA', () => {
  forwarderScenario('tls');
});
