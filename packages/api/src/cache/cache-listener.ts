import type { Database, SqlClient } from '@holdfast/db';
import type { AuditStreamSignals } from '../services/audit-log/audit-stream-signals';
import type { PushStatusSignals } from '../services/push/push-status-signals';
import type { MetadataCache } from './metadata-cache';

/**
 * Holds one connection that LISTENs on `holdfast_cache` and drops cache entries the database says
 * changed. While it is down the cache serves nothing (notifications would be lost); when it comes
 * back the cache starts empty. A `SELECT 1` every few seconds notices a connection that died
 * silently (e.g. its primary was killed). Invariant 8: the cache never decides security, and it
 * never serves what a lost notification could have invalidated. The gateway starts one per process.
 */
export function startCacheListener(options: {
  db: Database;
  cache: MetadataCache;
  /** Also LISTENs on `holdfast_push` and wakes push long-polls (services/push/push-status-signals.ts). */
  pushSignals?: PushStatusSignals;
  /** Also LISTENs on `holdfast_audit` and wakes live audit streams (services/audit-log/audit-stream-signals.ts). */
  auditSignals?: AuditStreamSignals;
  log: (event: string, fields?: Record<string, unknown>) => void;
  probeIntervalMs?: number;
}): { stop: () => Promise<void> } {
  const { db, cache, log, pushSignals, auditSignals } = options;
  const setListening = (isListening: boolean): void => {
    cache.setListening(isListening);
    pushSignals?.setListening(isListening);
    auditSignals?.setListening(isListening);
  };
  let isStopped = false;
  const hasStopped = (): boolean => isStopped;
  let client: SqlClient | null = null;
  let probe: NodeJS.Timeout | null = null;
  let retry: NodeJS.Timeout | null = null;

  const drop = (error: unknown): void => {
    if (client === null) return;
    setListening(false);
    if (probe !== null) clearInterval(probe);
    const gone = client;
    client = null;
    gone.release(true);
    if (!isStopped) {
      log('cache_listener_down', { message: error instanceof Error ? error.message : String(error) });
      db.reportError(error);
      retry = setTimeout(() => void connect(), 500);
    }
  };

  const connect = async (): Promise<void> => {
    if (isStopped) return;
    let next: SqlClient;
    try {
      next = await db.pool.connect();
    } catch {
      // stop() may have run while we waited for a connection
      if (!hasStopped()) retry = setTimeout(() => void connect(), 500);
      return;
    }
    next.on('notification', (message) => {
      if (message.payload === undefined) return;
      if (message.channel === 'holdfast_push') pushSignals?.notify(message.payload);
      else if (message.channel === 'holdfast_audit') auditSignals?.notify(message.payload);
      else cache.invalidate(message.payload);
    });
    next.on('error', (error) => {
      drop(error);
    });
    client = next;
    try {
      await next.query('LISTEN holdfast_cache');
      if (pushSignals !== undefined) await next.query('LISTEN holdfast_push');
      if (auditSignals !== undefined) await next.query('LISTEN holdfast_audit');
      setListening(true);
      probe = setInterval(() => {
        client?.query('SELECT 1').catch((error: unknown) => {
          drop(error);
        });
      }, options.probeIntervalMs ?? 2_000);
    } catch (error) {
      drop(error);
    }
  };

  void connect();
  return {
    stop: async () => {
      isStopped = true;
      if (retry !== null) clearTimeout(retry);
      if (probe !== null) clearInterval(probe);
      setListening(false);
      const current = client;
      client = null;
      if (current !== null) {
        await current.query('UNLISTEN *').catch(() => undefined);
        current.release();
      }
    },
  };
}
