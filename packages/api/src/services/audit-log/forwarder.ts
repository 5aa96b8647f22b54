import type { AuditRecord } from '@holdfast/core';
import type { Database, SqlClient } from '@holdfast/db';
import { advanceForwarderCursor, readForwarderCursor, readForwarderLag } from './forwarder-cursor';
import { readSealedRecords } from './sealed-records';

/**
 * The forwarder of the sealed audit log (issue 12): sealed records, in leaf order, to one
 * destination (the gateway's syslog sink). One forwarder at a time across the deployment, elected
 * with a session advisory lock any gateway may take (as the sealer is: the lock dies with its
 * session, so a killed forwarder's successor resumes within an interval).
 *
 * THE DATABASE IS THE SPOOL. Only sealed records leave (readSealedRecords), and the cursor row
 * (audit_forwarder_cursors) holds the last leaf index the destination was handed. While the
 * destination is down nothing is read ahead and nothing piles up in memory: the cursor lags, the
 * lag is a metric, and the forwarder retries with a capped backoff.
 *
 * WHAT "EXACTLY ONCE" MEANS HERE (syslog over TCP has no acknowledgements):
 * - The cursor moves only past records whose socket write completed (the kernel took the bytes),
 *   and only the sent prefix of a page counts.
 * - A collector that stops gracefully (FIN: rsyslog, syslog-ng, our test receiver) still reads
 *   what was written before; the sink stops writing the moment it sees the FIN, so nothing written
 *   is unread and nothing unread is counted: nothing lost, nothing twice.
 * - A collector that crashes (RST), or a network that drops a connection with bytes in flight,
 *   can lose what the kernels had buffered. The leaf index in every message shows the gap to the
 *   collector or an operator; `holdfast audit export --after-leaf N` refills it.
 * - A forwarder that dies (or loses its database) after a write but before saving the cursor
 *   makes its successor send those records again: at least once; the leaf index makes them
 *   recognisable duplicates. A cursor this process could not save is saved first when it holds the
 *   lock again (GREATEST: never moves back).
 * An exact scheme would need acknowledgements, which RFC 5424/5425/6587 transports do not have.
 */
export interface AuditRecordSink {
  /** Where records go, as shown in logs and stored with the cursor (no secrets). */
  readonly destination: string;
  /** Opens a connection unless one is open; rejects when the destination cannot be reached. */
  connect: () => Promise<void>;
  /**
   * Writes the records in order; resolves with how many of them — always a prefix — the transport
   * took. Fewer than all: the connection ended or failed, and the rest go again after a connect.
   */
  send: (records: readonly AuditRecord[]) => Promise<number>;
  isConnected: () => boolean;
  /** Ends the connection gracefully (what was written is still delivered). */
  close: () => Promise<void>;
}

export interface ForwarderSettings {
  /** How often the forwarder (or a gateway waiting for the lock) looks for newly sealed records. */
  intervalMs: number;
  /** Records per read and per send. */
  batchSize: number;
  /** Reconnect backoff: 250 ms doubling up to this. */
  maxBackoffMs: number;
}

export const defaultForwarderSettings: ForwarderSettings = { intervalMs: 1_000, batchSize: 500, maxBackoffMs: 5_000 };

/** "haf1": one forwarder at a time across every gateway on the database (session-level lock). */
export const forwarderLockKey = 0x6861_6631;

const firstBackoffMs = 250;

export interface AuditForwarderStatus {
  /** This process holds the forwarder lock. */
  isForwarding: boolean;
  /** This process holds the lock and a connection to the destination. */
  isConnected: boolean;
  /** Sealed leaves not yet handed to the destination (null: not measured yet). */
  lagLeaves: number | null;
  /** The cursor as last seen: the last leaf index handed to the destination (-1: none). */
  lastLeafIndex: number | null;
  /** Records this process forwarded since it started. */
  forwarded: number;
  /** The last error (connection or database), until the next success. */
  lastError: string | null;
}

export interface AuditForwarder {
  status: () => AuditForwarderStatus;
  stop: () => Promise<void>;
}

type TickResult = 'idle' | 'done' | 'retry';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function startAuditForwarder(options: {
  /** A pool of the forwarder's own (the lock session stays checked out while it forwards). */
  db: Database;
  sink: AuditRecordSink;
  /** The cursor row's name (one per destination kind). */
  cursorName: string;
  gatewayId: string;
  settings: ForwarderSettings;
  /** Called with the number of records each time some were handed to the destination. */
  onForwarded?: (count: number) => void;
  log: (event: string, fields?: Record<string, unknown>) => void;
}): AuditForwarder {
  const { db, sink, settings, log, cursorName } = options;
  const state: AuditForwarderStatus = { isForwarding: false, isConnected: false, lagLeaves: null, lastLeafIndex: null, forwarded: 0, lastError: null };
  let lockClient: SqlClient | null = null;
  /** The cursor while this process holds the lock (re-read from the table on every election). */
  let cursor: number | null = null;
  /** Sent, but saving the cursor failed: saved first when this process holds the lock again. */
  let unsaved: number | null = null;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  let isStopped = false;
  const onClientError = (): void => {
    // The session is gone, and the lock with it; the next statement fails and drops the client.
  };

  const dropLock = async (options: { isHealthy: boolean }): Promise<void> => {
    const client = lockClient;
    lockClient = null;
    cursor = null;
    state.isForwarding = false;
    if (client === null) return;
    if (options.isHealthy) {
      // A working session goes back to the pool without the lock (cheaper than a new connection).
      const isUnlocked = await client.query('SELECT pg_advisory_unlock($1)', [forwarderLockKey]).then(
        () => true,
        () => false,
      );
      if (isUnlocked) {
        client.off('error', onClientError);
        client.release();
        return;
      }
    }
    // Destroyed, not returned to the pool: ending the session is what releases the lock.
    client.off('error', onClientError);
    client.release(true);
  };

  const acquire = async (): Promise<SqlClient | null> => {
    if (lockClient !== null) return lockClient;
    const client = await db.pool.connect();
    client.on('error', onClientError);
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [forwarderLockKey]);
      if (rows[0]?.locked !== true) {
        client.off('error', onClientError);
        client.release();
        return null;
      }
    } catch (error) {
      client.off('error', onClientError);
      client.release(true);
      throw error;
    }
    lockClient = client;
    state.isForwarding = true;
    log('audit_forwarder_elected', { destination: sink.destination });
    return client;
  };

  const measureLag = async (sql: Pick<SqlClient, 'query'>): Promise<void> => {
    const lag = await readForwarderLag(sql, cursorName);
    state.lagLeaves = lag.lagLeaves;
    state.lastLeafIndex = lag.lastLeafIndex;
  };

  const save = async (client: SqlClient, lastLeafIndex: number): Promise<number> => {
    unsaved = lastLeafIndex;
    const stored = await advanceForwarderCursor(client, { name: cursorName, lastLeafIndex, destination: sink.destination, gatewayId: options.gatewayId });
    unsaved = null;
    return stored;
  };

  const forward = async (client: SqlClient): Promise<TickResult> => {
    let current = cursor ?? (await readForwarderCursor(client, cursorName));
    if (unsaved !== null && unsaved > current) current = await save(client, unsaved);
    cursor = current;
    try {
      await sink.connect();
    } catch (error) {
      state.lastError = messageOf(error);
      await measureLag(client);
      // Let go of the lock: another gateway may reach the collector when this one cannot.
      await dropLock({ isHealthy: true });
      return 'retry';
    }
    for (let pass = 0; pass < 100 && !isStopped; pass += 1) {
      const page = await readSealedRecords(client, { afterLeafIndex: current, limit: settings.batchSize });
      const treeSize = page.checkpoint?.treeSize ?? 0;
      state.lagLeaves = Math.max(0, treeSize - 1 - current);
      state.lastLeafIndex = current;
      if (page.records.length === 0) {
        // Only leaves whose rows retention removed: nothing to send, move past them.
        if (page.lastLeafIndex > current) current = await save(client, page.lastLeafIndex);
        break;
      }
      const sent = await sink.send(page.records);
      const reached = sent >= page.records.length ? page.lastLeafIndex : sent === 0 ? current : (page.records[sent - 1]?.leafIndex ?? current);
      if (reached > current) {
        current = await save(client, reached);
        cursor = current;
        state.forwarded += sent;
        if (sent > 0) options.onForwarded?.(sent);
      }
      state.lagLeaves = Math.max(0, treeSize - 1 - current);
      state.lastLeafIndex = current;
      if (sent < page.records.length) {
        state.lastError = 'the collector closed the connection';
        log('audit_forwarder_disconnected', { destination: sink.destination, sent, pending: page.records.length - sent, lastLeafIndex: current });
        return 'retry';
      }
      if (page.records.length < settings.batchSize) break;
    }
    state.lastError = null;
    return 'done';
  };

  const tick = async (): Promise<TickResult> => {
    try {
      const client = await acquire();
      if (client === null) {
        await measureLag(db.pool);
        return 'idle';
      }
      return await forward(client);
    } catch (error) {
      db.reportError(error);
      state.lastError = messageOf(error);
      log('audit_forward_failed', { message: state.lastError });
      await dropLock({ isHealthy: false });
      return 'retry';
    } finally {
      state.isConnected = state.isForwarding && sink.isConnected();
    }
  };

  const schedule = (delayMs: number): void => {
    if (isStopped) return;
    timer = setTimeout(() => {
      running = tick().then((result) => {
        running = null;
        if (result === 'retry') {
          failures += 1;
          schedule(Math.min(settings.maxBackoffMs, firstBackoffMs * 2 ** Math.min(failures - 1, 16)));
        } else {
          failures = 0;
          schedule(settings.intervalMs);
        }
      });
    }, delayMs);
    timer.unref();
  };
  schedule(0);

  return {
    status: () => ({ ...state, isConnected: state.isForwarding && sink.isConnected() }),
    stop: async () => {
      isStopped = true;
      clearTimeout(timer);
      await running;
      await sink.close();
      await dropLock({ isHealthy: true });
    },
  };
}
