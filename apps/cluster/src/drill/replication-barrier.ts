// `npm run drill -- replication-barrier` (issue 14, [REPLICATION_BARRIER] on the real cluster).
//
// Invariant 2 says no write is acknowledged before the synchronous standby has it. A verification's
// COMMIT that waits for the standby and is cancelled (by the request deadline, a failover, an
// operator) is committed on the primary only; its retry with the same attempt id finds the attempt
// row and would answer the recorded outcome — the replication barrier (the replay's own commit
// waits for the standby) is what keeps that answer back until the standby has the row. Only the
// drills exercised it; this check fails on its own when the barrier is gone.
//
// How: both replicas are frozen (SIGSTOP of their Patroni and postmaster process groups — the
// processes keep their sockets, nothing restarts, strict synchronous mode can commit nothing), then
// through a real gateway over HTTP: a verification with attempt id X must not answer 200 (503 within
// the gateway's deadline); the attempt row is read on the primary directly (committed locally
// only); the retry with X must still not answer 200 while the standbys are frozen; after SIGCONT the
// retry answers the recorded outcome with `replayed: true`. The replicas are always continued.
import { parseKeyring } from '@holdfast/core';
import { createDatabase } from '@holdfast/db';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { clusterLogin, clusterMembers, waitUntilHealthy } from '../cluster';
import { gatewayEndpoints, postgresUrl, type ClusterConfig, type RegionLayout } from '../config';
import { collectTree, isAlive, isOurs, postmasterPid, processStartTime, readState, signal } from '../processes';
import { seedDrill } from './seed';

/** The cluster's gateways run with HOLDFAST_REQUEST_DEADLINE_MS=12000 (cluster.ts, startComponent). */
export const clusterGatewayDeadlineMs = 12_000;
/** Room past the deadline for the answer itself on a loaded 2-core machine. */
const slackMs = 3_000;
/** After SIGCONT: Patroni re-registers the replicas and names a sync standby again; the retry must be answered by then. */
const resumeBoundMs = 45_000;

export interface BarrierCheck {
  name: string;
  isMet: boolean;
  detail: string;
}

export interface ReplicationBarrierReport {
  isPassed: boolean;
  gateway: string;
  primary: string;
  frozen: string[];
  checks: BarrierCheck[];
}

interface Reply {
  /** null: no HTTP answer within the wait (the gateway hung), or the connection failed. */
  status: number | null;
  body: Record<string, unknown>;
  ms: number;
}

function describe(reply: Reply): string {
  if (reply.status === null) return `no answer after ${(reply.ms / 1000).toFixed(1)} s`;
  const code = typeof reply.body.holdfastCode === 'string' ? ` ${reply.body.holdfastCode}` : '';
  const outcome = typeof reply.body.outcome === 'string' ? ` ${reply.body.outcome}${reply.body.replayed === true ? ' (replayed)' : ''}` : '';
  return `${reply.status}${code}${outcome} after ${(reply.ms / 1000).toFixed(1)} s`;
}

/** A process we freeze: only ever one we started (Patroni by its state record, the postmaster by its data directory). */
interface FreezeTarget {
  label: string;
  pid: number;
  startTime: number | null;
  /** The process leads its own process group: the whole group (backends, walreceiver) is signalled at once. */
  isGroupLeader: boolean;
}

function processGroupOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    const fields = stat
      .slice(stat.lastIndexOf(')') + 2)
      .trim()
      .split(' ');
    // Field 5 (pgrp) is index 2 after the command name.
    const pgrp = Number(fields[2]);
    return Number.isInteger(pgrp) ? pgrp : null;
  } catch {
    return null;
  }
}

async function freezeTargets(config: ClusterConfig, region: RegionLayout): Promise<FreezeTarget[]> {
  const state = await readState(config.dir);
  const patroni = state.processes.find((p) => p.name === region.node.name && isOurs(p));
  if (patroni === undefined) throw new Error(`${region.node.name}: no running Patroni of ours`);
  const dataDir = path.join(config.dir, region.node.name, 'data');
  const postmaster = postmasterPid(dataDir);
  // postmasterPid checks the PID still runs postgres -D <dataDir> (never a reused PID).
  if (postmaster === null) throw new Error(`${region.node.name}: no running postmaster for ${dataDir}`);
  return [
    { label: `${region.node.name} patroni`, pid: patroni.pid, startTime: patroni.startTime, isGroupLeader: processGroupOf(patroni.pid) === patroni.pid },
    {
      label: `${region.node.name} postmaster`,
      pid: postmaster,
      startTime: processStartTime(postmaster),
      isGroupLeader: processGroupOf(postmaster) === postmaster,
    },
  ];
}

/** Signals a verified target: its process group when it leads one, else its process tree one by one. Never a PID that is no longer ours. */
function signalTarget(target: FreezeTarget, sig: 'SIGSTOP' | 'SIGCONT'): boolean {
  if (!isAlive(target.pid) || target.startTime === null || processStartTime(target.pid) !== target.startTime) return false;
  if (target.isGroupLeader) {
    try {
      process.kill(-target.pid, sig);
    } catch {
      return false;
    }
  } else {
    for (const pid of collectTree(target.pid)) signal(pid, sig);
  }
  return true;
}

function processState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? null;
  } catch {
    return null;
  }
}

async function post(url: string, apiKey: string, body: Record<string, unknown>, waitMs: number): Promise<Reply> {
  const started = performance.now();
  try {
    const response = await fetch(`${url}/v1/verify/recovery-code`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(waitMs),
    });
    const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    return { status: response.status, body: json, ms: performance.now() - started };
  } catch (error) {
    return { status: null, body: { error: error instanceof Error ? error.message : String(error) }, ms: performance.now() - started };
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function runReplicationBarrierCheck(
  config: ClusterConfig,
  log: (line: string) => void,
  options: { gatewayDeadlineMs?: number } = {},
): Promise<ReplicationBarrierReport> {
  const deadlineMs = options.gatewayDeadlineMs ?? clusterGatewayDeadlineMs;
  const { health } = await waitUntilHealthy(config, { allMembersMs: 60_000 });
  if (health.running < config.regions.length) throw new Error(`needs every member running (${health.running}/${config.regions.length})`);
  const members = await clusterMembers(config);
  const leaderName = members.find((m) => m.role === 'leader')?.name;
  const primary = config.regions.find((r) => r.node.name === leaderName);
  if (primary === undefined) throw new Error('no Patroni leader right now');
  const replicas = config.regions.filter((r) => r !== primary);
  // A gateway in the primary's region: the side of a partition that still reaches the old primary.
  const gateway = gatewayEndpoints(config).find((g) => g.region === primary) ?? gatewayEndpoints(config)[0];
  if (gateway === undefined) throw new Error('no gateways');

  // Seeded as the drill seeds: one user holding recovery codes (no time step to wait for).
  const migrator = await clusterLogin(config, 'migrator');
  const db = createDatabase({
    url: config.regions.map((r) => postgresUrl(config, r, config.database, migrator)),
    poolMax: 2,
    applicationName: 'holdfast-barrier-check',
  });
  // The primary itself, not HAProxy, as the superuser: only it may read other roles' sessions in
  // pg_stat_activity and cancel a gateway session's replication wait.
  const superuser = config.superuser;
  const onPrimary = new pg.Pool({
    connectionString: `postgresql://${encodeURIComponent(superuser.name)}:${encodeURIComponent(superuser.password)}@${primary.host}:${String(primary.node.pgPort)}/${config.database}`,
    max: 2,
    application_name: 'holdfast-barrier-check',
  });
  onPrimary.on('error', () => undefined);
  const checks: BarrierCheck[] = [];
  const check = (name: string, isMet: boolean, detail: string): void => {
    checks.push({ name, isMet, detail });
    log(`${isMet ? 'ok    ' : 'FAILED'} ${name}: ${detail}`);
  };
  const targets: FreezeTarget[] = [];
  const canceller = { isRunning: false, cancelled: [] as string[], loop: Promise.resolve() };
  const stopCanceller = async (): Promise<void> => {
    canceller.isRunning = false;
    await canceller.loop;
  };

  try {
    const keys = JSON.parse(await readFile(config.keysFile, 'utf8')) as { keys: string; activeKeyId: string };
    const { apiKey, users } = await seedDrill({ db, keyring: parseKeyring(keys), scenario: 'replication-barrier', totpUsers: 1, recoveryUsers: 1 });
    const user = users[0];
    const code = user?.recoveryCodes[0];
    if (user === undefined || code === undefined) throw new Error('seeding gave no recovery code');
    const attemptId = `barrier-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    const request = { userId: user.userId, attemptId, code };
    // The gateway knows the application's key before the standbys stop (a fresh lookup is a read; not what is tested).
    const warm = await fetch(`${gateway.url}/v1/verify/status?attemptId=barrier-warm-up`, { headers: { authorization: `Bearer ${apiKey}` } });
    if (warm.status !== 404) throw new Error(`warm-up through ${gateway.id} answered ${warm.status}`);

    log(`primary ${primary.node.name}; freezing ${replicas.map((r) => r.node.name).join(', ')}; gateway ${gateway.id} (${gateway.url}); attempt ${attemptId}`);
    for (const region of replicas) targets.push(...(await freezeTargets(config, region)));
    // Patroni first, so it never sees its postmaster stop; every signalled group is checked stopped.
    for (const target of targets) {
      if (!signalTarget(target, 'SIGSTOP')) throw new Error(`${target.label} (pid ${target.pid}) is not ours any more: not signalled`);
    }
    await sleep(200);
    const stopped = targets.filter((t) => processState(t.pid) === 'T');
    check('replicas frozen', stopped.length === targets.length, targets.map((t) => `${t.label} ${String(t.pid)} ${processState(t.pid) ?? '?'}`).join(', '));

    // 1. The verification: its commit waits for a standby that cannot answer.
    const sessions = `holdfast-${gateway.id}%`;
    // Waited for long after the deadline check: a request that hangs in the gateway is still
    // answered (or not) once its wait is cancelled below, and that answer must not be 200 either.
    const firstAnswer = post(gateway.url, apiKey, request, 3 * deadlineMs + slackMs);
    const first = Promise.race([
      firstAnswer,
      sleep(deadlineMs + slackMs).then((): Reply => ({ status: null, body: { pending: true }, ms: deadlineMs + slackMs })),
    ]);
    let sawWait = false;
    const watchUntil = Date.now() + deadlineMs;
    while (!sawWait && Date.now() < watchUntil) {
      const { rows } = await onPrimary.query("SELECT 1 FROM pg_stat_activity WHERE wait_event = 'SyncRep' AND application_name LIKE $1", [sessions]);
      sawWait = rows.length > 0;
      if (!sawWait) await sleep(50);
    }
    check(
      'the commit waits for the synchronous standby',
      sawWait,
      sawWait ? `a ${gateway.id} session waits on SyncRep` : 'no SyncRep wait seen on the primary',
    );
    const firstReply = await first;
    // What the gateway's sessions are doing now (a hang shows where it waits).
    const activity = await onPrimary.query<{ state: string; wait: string | null; query: string }>(
      `SELECT state, wait_event_type || ':' || wait_event AS wait, left(query, 50) AS query FROM pg_stat_activity
        WHERE application_name LIKE $1 AND state <> 'idle' ORDER BY backend_start`,
      [sessions],
    );
    log(`${gateway.id} sessions not idle: ${activity.rows.map((r) => `[${r.state} ${r.wait ?? '-'}] ${r.query}`).join(' | ') || 'none'}`);
    check('first try: not acknowledged', firstReply.status !== 200, describe(firstReply));
    check(
      `first try: 503 DATABASE_UNAVAILABLE within the deadline (${deadlineMs / 1000} s + ${slackMs / 1000} s)`,
      firstReply.status === 503 && firstReply.body.holdfastCode === 'DATABASE_UNAVAILABLE',
      firstReply.status === null ? `${describe(firstReply)} — the gateway's deadline did not end the commit's wait` : describe(firstReply),
    );

    // What a deadline, a failover or an operator does to a waiting commit: cancel the wait, which
    // leaves it committed on the primary only. From here on every replication wait on the primary
    // is cancelled as it appears — every gateway's, not only this one's: a write of another
    // gateway (its canary, the audit sealer) waiting for the standby holds locks this gateway's
    // writes queue behind — so the rest is answered whatever the gateway's own deadline does.
    canceller.isRunning = true;
    canceller.loop = (async () => {
      while (canceller.isRunning) {
        const { rows } = await onPrimary.query<{ pid: number; query: string }>(
          "SELECT pid, query FROM pg_stat_activity WHERE wait_event = 'SyncRep' AND pid <> pg_backend_pid()",
        );
        for (const row of rows) {
          await onPrimary.query('SELECT pg_cancel_backend($1)', [row.pid]);
          canceller.cancelled.push(row.query.slice(0, 40));
        }
        await sleep(25);
      }
    })();
    // A request that hung in the gateway goes on once its wait is cancelled: its answer, too, is no 200.
    if (firstReply.status === null) {
      const late = await firstAnswer;
      check('first try, answered after its wait was cancelled: not acknowledged', late.status !== 200, describe(late));
    }

    // 2. The attempt row is on the primary: committed locally only (the standbys are frozen).
    let row: { outcome: string; recovery: boolean } | undefined;
    for (const until = Date.now() + 5_000; row === undefined && Date.now() < until;) {
      await sleep(100);
      const recorded = await onPrimary.query<{ outcome: string; recovery: boolean }>(
        'SELECT outcome::text AS outcome, pg_is_in_recovery() AS recovery FROM verification_attempts WHERE attempt_id = $1',
        [attemptId],
      );
      row = recorded.rows[0];
    }
    check(
      'attempt row committed on the primary',
      row !== undefined && !row.recovery,
      row === undefined ? 'no row' : `outcome ${row.outcome} on ${primary.node.name}`,
    );

    // 3. The retry finds the row. Without the barrier it answers the recorded outcome at once.
    const retry = await post(gateway.url, apiKey, request, deadlineMs + slackMs);
    check('retry while the standbys are frozen: not answered', retry.status !== 200, describe(retry));
    check(
      `retry while frozen: 503 DATABASE_UNAVAILABLE within the deadline`,
      retry.status === 503 && retry.body.holdfastCode === 'DATABASE_UNAVAILABLE',
      describe(retry),
    );
    await stopCanceller();
    log(`replication waits cancelled while frozen: ${canceller.cancelled.length} (${[...new Set(canceller.cancelled)].join(' | ')})`);

    // 4. The standbys come back: the retry gets the recorded outcome, replayed.
    for (const target of [...targets].reverse()) signalTarget(target, 'SIGCONT');
    const continuedAt = performance.now();
    log('replicas continued (SIGCONT)');
    let replayed: Reply | null = null;
    while (performance.now() - continuedAt < resumeBoundMs) {
      replayed = await post(gateway.url, apiKey, request, deadlineMs + slackMs);
      if (replayed.status === 200 || (replayed.status !== null && replayed.status !== 503)) break;
      await sleep(250);
    }
    const sinceContinue = performance.now() - continuedAt;
    const isReplayed = replayed?.status === 200 && replayed.body.outcome === 'accepted' && replayed.body.replayed === true;
    check(
      `after SIGCONT: the recorded outcome, replayed, within ${resumeBoundMs / 1000} s`,
      isReplayed,
      `${replayed === null ? 'no reply' : describe(replayed)}, ${(sinceContinue / 1000).toFixed(1)} s after SIGCONT`,
    );
    const count = await onPrimary.query<{ n: number }>('SELECT count(*)::int AS n FROM verification_attempts WHERE attempt_id = $1', [attemptId]);
    check('one attempt row', count.rows[0]?.n === 1, `${String(count.rows[0]?.n ?? 0)} row(s)`);
  } catch (error) {
    check('check ran to the end', false, error instanceof Error ? error.message : String(error));
  } finally {
    await stopCanceller().catch(() => undefined);
    // Always: a frozen replica must never outlive the check.
    for (const target of [...targets].reverse()) signalTarget(target, 'SIGCONT');
    await onPrimary.end().catch(() => undefined);
    await db.close();
  }
  const healthy = await waitUntilHealthy(config, { timeoutMs: 90_000, allMembersMs: 30_000 }).catch((error: unknown) => error);
  if (healthy instanceof Error) log(`cluster not healthy again: ${healthy.message}`);
  return {
    isPassed: checks.every((c) => c.isMet),
    gateway: gateway.id,
    primary: primary.node.name,
    frozen: targets.map((t) => `${t.label} (${String(t.pid)})`),
    checks,
  };
}
