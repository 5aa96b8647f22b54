// Sealing on vs off (issue 12: "the benchmark shows verification throughput with sealing on vs off
// (same run): sealing costs ≤ 10 %"). Two gateways on the same database, alike but for
// HOLDFAST_AUDIT_SEAL_INTERVAL_MS: (d) seals at the default interval, (e) never. The sealer is one
// per database (advisory lock), so (e)'s rounds are only "off" if (d)'s sealer is not running
// meanwhile: each gateway is paused (SIGSTOP, whole process tree) while the other is measured, and
// after an (e) round (d) is resumed and its backlog sealed before anything else is measured.
// Whether sealing really ran is read from the database, not assumed: leaves sealed during each
// round against audit rows written, and the seal lag (the gateway's own measure, readSealLagMs) at
// its end — a sealer that falls behind shows as leaves < rows and a lag that grows.
import { readSealLagMs } from '@holdfast/api';
import type pg from 'pg';
import { signalTree, type StartedServer } from './processes';

export interface AuditMark {
  /** Leaves sealed so far (the latest checkpoint's tree size). */
  treeSize: number;
  /** The largest audit_events id so far: rows written after the mark have larger ones. */
  maxEventId: string;
}

export interface SealRoundStats {
  /** Audit rows committed during the round. */
  rowsWritten: number;
  /** Leaves the sealer added during the round (0 when it was off). */
  leavesSealed: number;
  /** Age of the oldest unsealed row at the round's end (ms). */
  lagMsAtEnd: number;
}

export interface SealCatchUp {
  /** Rows the sealer found waiting when it was resumed after an (e) round. */
  backlog: number;
  /** How long until every row was sealed (ms); null when it did not finish in time. */
  ms: number | null;
}

export interface SealingReport {
  /** Per (d) round: the sealer ON. */
  on: SealRoundStats[];
  /** Per (e) round: the sealer OFF (leavesSealed must be 0). */
  off: SealRoundStats[];
  /** After each (e) round: (d)'s sealer resumed and left to catch up before the next target. */
  catchUps: SealCatchUp[];
}

export async function readAuditMark(pool: pg.Pool): Promise<AuditMark> {
  const { rows } = await pool.query<{ tree_size: string; max_id: string }>(
    `SELECT COALESCE((SELECT tree_size FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1), 0)::text AS tree_size,
            COALESCE((SELECT max(id) FROM audit_events), 0)::text AS max_id`,
  );
  return { treeSize: Number(rows[0]?.tree_size ?? 0), maxEventId: rows[0]?.max_id ?? '0' };
}

export async function sealStatsSince(pool: pg.Pool, mark: AuditMark): Promise<SealRoundStats> {
  const now = await readAuditMark(pool);
  const { rows } = await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM audit_events WHERE id > $1::bigint', [mark.maxEventId]);
  return { rowsWritten: Number(rows[0]?.n ?? 0), leavesSealed: now.treeSize - mark.treeSize, lagMsAtEnd: await readSealLagMs(pool) };
}

/** Polls until every committed audit row is sealed (lag 0); the time it took, or null after `timeoutMs`. */
export async function waitUntilSealed(pool: pg.Pool, timeoutMs: number): Promise<number | null> {
  const started = performance.now();
  for (;;) {
    if ((await readSealLagMs(pool)) === 0) return performance.now() - started;
    if (performance.now() - started > timeoutMs) return null;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Which of the two gateways runs: `sealing` before every target but (e) (the floors and reference
 * measure the database as the product uses it, sealer included, as before), `sealOff` for (e).
 * Resuming (d) after (e) waits for its backlog, so no target pays for sealing (e)'s rows.
 */
export function createGatewaySwitch(options: {
  pool: pg.Pool;
  sealing: { pid: number };
  sealOff: StartedServer;
  /**
   * Called for the gateway just resumed: its keep-alive timers fire late, closing idle sockets the
   * client still holds, so the client drops its idle sockets (a reset there is not the gateway's error).
   */
  onResume: (which: 'sealing' | 'sealOff') => void;
  log: (line: string) => void;
}): {
  use: (which: 'sealing' | 'sealOff') => Promise<SealCatchUp | null>;
  /** Both running again (before the processes are stopped: a paused process does not act on SIGTERM). */
  resumeAll: () => void;
} {
  let running: 'sealing' | 'sealOff' | 'both' = 'both';
  // A resumed process first runs what came due while it was paused.
  const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 250));
  return {
    use: async (which) => {
      if (running === which) return null;
      const previous = running;
      running = which;
      if (which === 'sealOff') {
        signalTree(options.sealing.pid, 'SIGSTOP');
        signalTree(options.sealOff.process.pid, 'SIGCONT');
        await settle();
        options.onResume('sealOff');
        return null;
      }
      // The backlog is counted before the sealer is resumed (it starts on it at once).
      const mark = previous === 'sealOff' ? await readAuditMark(options.pool) : null;
      const resumedAt = performance.now();
      signalTree(options.sealOff.process.pid, 'SIGSTOP');
      signalTree(options.sealing.pid, 'SIGCONT');
      await settle();
      options.onResume('sealing');
      if (mark === null) return null;
      const waited = await waitUntilSealed(options.pool, 60_000);
      const ms = waited === null ? null : performance.now() - resumedAt;
      const after = await readAuditMark(options.pool);
      const catchUp = { backlog: after.treeSize - mark.treeSize, ms };
      if (ms === null) options.log(`sealer resumed: backlog NOT sealed within 60 s (${catchUp.backlog} leaves so far)`);
      return catchUp;
    },
    resumeAll: () => {
      signalTree(options.sealing.pid, 'SIGCONT');
      signalTree(options.sealOff.process.pid, 'SIGCONT');
      running = 'both';
    },
  };
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
const fmtMs = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);

/** The report's lines on whether sealing really ran: leaves vs rows per round, the lag, the catch-ups. */
export function sealingLines(report: SealingReport): string[] {
  const lines: string[] = [];
  if (report.on.length > 0) {
    const rows = sum(report.on.map((r) => r.rowsWritten));
    const leaves = sum(report.on.map((r) => r.leavesSealed));
    lines.push(
      `sealer during (d) rounds: ${leaves} leaves sealed for ${rows} audit rows written (${rows === 0 ? '–' : ((leaves / rows) * 100).toFixed(1)} %); ` +
        `seal lag at round ends ${report.on.map((r) => fmtMs(r.lagMsAtEnd)).join(' / ')}`,
    );
  }
  if (report.off.length > 0) {
    const leaves = sum(report.off.map((r) => r.leavesSealed));
    const caught = report.catchUps.map((c) => `${c.backlog} in ${c.ms === null ? 'NOT within 60 s' : fmtMs(c.ms)}`);
    lines.push(
      `sealer during (e) rounds: ${leaves} leaves sealed for ${sum(report.off.map((r) => r.rowsWritten))} rows${leaves === 0 ? ' (off, as it should be)' : ' — NOT off'}; ` +
        `backlog sealed after each: ${caught.join(', ') || '–'}`,
    );
  }
  return lines;
}
