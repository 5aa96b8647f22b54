// The live failover map during a primary kill (issue 13: "during a primary kill the map shows the
// old leader down and the new leader within Patroni's failover time plus 3 s"). Before the
// disruption the drill makes an auditor (`holdfast admin create`, the operator's command), signs it
// in through a gateway of a surviving region with TOTP enrolled at first sign-in (codes from core's
// TOTP functions), and watches `GET /v1/admin/overview/stream` as the console does: when the stream
// drops it reconnects to the next surviving gateway. Every event is stamped with the drill time it
// arrived and the Postgres nodes' roles and states. Afterwards Patroni's /history says when the new
// leader was promoted (its timeline history file's time), and the report compares the two.
// apps/cluster may import @holdfast/api only as types (lint layer rule), so the account is made by
// the CLI and everything else goes through the gateways' API, as an operator's console would.
// Neither the TOTP secret, the password nor a token is ever logged or put in the report.
import { defaultTotpParams, generateTotpCode, type TotpAlgorithm, type TotpParams } from '@holdfast/core';
import { withTransaction, writeAuditEvent, type Database } from '@holdfast/db';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import type { ClusterConfig, DatabaseLogin } from '../config';
import { databaseUrlsFor, regionUrl } from '../config';
import { childPath } from '../env';

/** Both targets: the map shows the change within this much of when it happened. */
export const liveMapBoundMs = 3_000;

/** A stream that has said nothing (no event, no comment) this long is taken as dropped: it sends at least every 5 s. */
export const streamStallMs = 8_000;

export interface MapNode {
  name: string;
  role: string;
  state: string;
  timeline: number | null;
}

/** One `event: overview` as the drill received it. */
export interface MapObservation {
  /** Drill time (ms since the drill started) the event arrived. */
  atMs: number;
  /** The gateway whose stream carried it. */
  gateway: string;
  /** How old the snapshot (its generatedAt) was when it arrived: collector vs delivery delay. */
  ageMs?: number | null;
  postgres: MapNode[];
}

export interface MapStreamSwitch {
  atMs: number;
  from: string;
  to: string;
  reason: string;
}

export interface Promotion {
  leader: string;
  timeline: number;
  /** Patroni's timestamp (ISO, UTC) and the same as drill time. */
  at: string;
  atMs: number;
}

export interface LiveMapSection {
  /** Why the check could not run (sign-in or stream never opened); null when it ran. */
  error: string | null;
  /** The gateway the stream was first opened on, and those it could fail over to, in order. */
  gateways: string[];
  killedNode: string | null;
  killAtMs: number | null;
  /** From Patroni's /history after the drill (null: no new timeline found). */
  promotion: Promotion | null;
  /** Patroni's failover time: kill → promotion. */
  failoverMs: number | null;
  /** The node the map showed as leader in the last event before the kill. */
  leaderBeforeKill: string | null;
  /**
   * (1) the first event after the kill not showing the killed node as a running leader. `atMs` is
   * when it reached the drill (what a viewer sees: the target); `generatedAtMs` when the gateway's
   * collector made the snapshot (arrival minus its age) — the difference is delivery, both
   * processes sharing a loaded machine.
   */
  oldLeaderDown: { atMs: number; afterKillMs: number; generatedAtMs: number | null; role: string; state: string } | null;
  /** (2) the first event after the kill showing the new leader as leader (times as above). */
  newLeaderShown: { atMs: number; name: string; afterKillMs: number; afterPromotionMs: number | null; generatedAtMs: number | null } | null;
  events: number;
  /** The longest silence between two events while watching (ms). */
  maxGapMs: number;
  switches: MapStreamSwitch[];
  /** The events where the Postgres part changed (the first one included). */
  changes: MapObservation[];
  boundMs: number;
}

// --- pure parts -------------------------------------------------------------------------------

/** The TOTP parameters of an otpauth:// URI (what an authenticator app reads); core's defaults for anything absent. */
export function totpParamsFromUri(uri: string): TotpParams {
  let query: URLSearchParams;
  try {
    query = new URL(uri).searchParams;
  } catch {
    return defaultTotpParams;
  }
  const algorithm = (query.get('algorithm') ?? defaultTotpParams.algorithm).toUpperCase();
  const digits = Number(query.get('digits') ?? defaultTotpParams.digits);
  const period = Number(query.get('period') ?? defaultTotpParams.period);
  const algorithms: readonly TotpAlgorithm[] = ['SHA1', 'SHA256', 'SHA512'];
  return {
    algorithm: algorithms.find((a) => a === algorithm) ?? defaultTotpParams.algorithm,
    digits: digits === 8 ? 8 : 6,
    period: Number.isInteger(period) && period > 0 ? period : defaultTotpParams.period,
  };
}

/** Splits an SSE buffer into complete frames (blank-line separated) and the unfinished rest. */
export function splitSseFrames(buffer: string): { frames: { event: string | null; data: string | null }[]; rest: string } {
  const normalized = buffer.replace(/\r\n?/g, '\n');
  const parts = normalized.split('\n\n');
  const rest = parts.pop() ?? '';
  const frames = parts
    .filter((part) => part.trim() !== '')
    .map((part) => {
      let event: string | null = null;
      const data: string[] = [];
      for (const line of part.split('\n')) {
        if (line.startsWith('event:')) event = line.slice('event:'.length).trim();
        else if (line.startsWith('data:')) data.push(line.slice('data:'.length).replace(/^ /, ''));
      }
      return { event, data: data.length === 0 ? null : data.join('\n') };
    });
  return { frames, rest };
}

// Only what this check reads of validators' ClusterOverview (apps/cluster does not depend on validators).
const overviewSubset = z.object({
  generatedAt: z.string().optional(),
  regions: z.array(
    z.object({
      postgres: z.array(z.object({ name: z.string(), role: z.string(), state: z.string(), timeline: z.number().int().nullable() })),
    }),
  ),
});

/** The Postgres nodes of one `event: overview` data line, in region order; null when it is not an overview. */
export function postgresNodesOf(data: string): MapNode[] | null {
  return overviewOf(data)?.postgres ?? null;
}

/** The Postgres nodes and the snapshot's time (epoch ms; null when absent) of one `event: overview` data line. */
export function overviewOf(data: string): { postgres: MapNode[]; generatedAtEpochMs: number | null } | null {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return null;
  }
  const parsed = overviewSubset.safeParse(json);
  if (!parsed.success) return null;
  const generated = parsed.data.generatedAt === undefined ? Number.NaN : Date.parse(parsed.data.generatedAt);
  return {
    postgres: parsed.data.regions.flatMap((r) => r.postgres.map((p) => ({ name: p.name, role: p.role, state: p.state, timeline: p.timeline }))),
    generatedAtEpochMs: Number.isNaN(generated) ? null : generated,
  };
}

/** Shown as the leader it was: role leader and Postgres running. Anything else (unreachable, unknown, stopped, absent) is "down". */
function isShownRunningLeader(nodes: readonly MapNode[], name: string): boolean {
  const node = nodes.find((n) => n.name === name);
  return node !== undefined && node.role === 'leader' && node.state === 'running';
}

const historyRow = z.tuple([z.number().int(), z.number(), z.string()]).rest(z.union([z.string(), z.null()]));

/**
 * The promotion that ended the kill, from Patroni's /history body ([timeline, lsn, reason,
 * timestamp, new leader], one row per timeline switch; the timestamp is the new timeline's history
 * file, written at the promotion): the first switch to another node at or after the kill.
 */
export function promotionAfterKill(history: unknown, options: { killedNode: string; killEpochMs: number; startEpochMs: number }): Promotion | null {
  const rows = z.array(historyRow).safeParse(history);
  if (!rows.success) return null;
  const candidates = rows.data
    .map(([timeline, , , at, leader]) => ({ timeline: timeline + 1, leader, epochMs: typeof at === 'string' ? Date.parse(at) : Number.NaN }))
    // 1 s of slack: the kill is stamped when SIGKILL is sent, the file time by the filesystem.
    .filter((row) => typeof row.leader === 'string' && row.leader !== options.killedNode && row.epochMs >= options.killEpochMs - 1_000)
    .sort((a, b) => a.epochMs - b.epochMs);
  const first = candidates[0];
  if (first === undefined || typeof first.leader !== 'string') return null;
  return { leader: first.leader, timeline: first.timeline, at: new Date(first.epochMs).toISOString(), atMs: Math.round(first.epochMs - options.startEpochMs) };
}

/** Drill time the snapshot was made (arrival minus its age); null when the event had no generatedAt. */
function generatedAt(observation: MapObservation): number | null {
  return observation.ageMs == null ? null : Math.round(observation.atMs - observation.ageMs);
}

/** The events where the Postgres part of the map changed (the first included). */
export function mapChanges(observations: readonly MapObservation[]): MapObservation[] {
  const key = (o: MapObservation): string => JSON.stringify(o.postgres);
  return observations.filter((o, i) => i === 0 || key(o) !== key(observations[i - 1] ?? o));
}

/** The two measurements and the section, from what the stream showed and what Patroni recorded. */
export function analyzeLiveMap(input: {
  observations: readonly MapObservation[];
  switches: readonly MapStreamSwitch[];
  gateways: readonly string[];
  killedNode: string | null;
  killAtMs: number | null;
  promotion: Promotion | null;
  error?: string | null;
}): LiveMapSection {
  const { observations, killedNode, killAtMs, promotion } = input;
  let maxGapMs = 0;
  for (let i = 1; i < observations.length; i += 1) maxGapMs = Math.max(maxGapMs, (observations[i]?.atMs ?? 0) - (observations[i - 1]?.atMs ?? 0));
  const section: LiveMapSection = {
    error: input.error ?? null,
    gateways: [...input.gateways],
    killedNode,
    killAtMs,
    promotion,
    failoverMs: promotion === null || killAtMs === null ? null : promotion.atMs - killAtMs,
    leaderBeforeKill: null,
    oldLeaderDown: null,
    newLeaderShown: null,
    events: observations.length,
    maxGapMs: Math.round(maxGapMs),
    switches: [...input.switches],
    changes: mapChanges(observations),
    boundMs: liveMapBoundMs,
  };
  if (killedNode === null || killAtMs === null) return section;
  const before = observations.filter((o) => o.atMs < killAtMs).at(-1);
  section.leaderBeforeKill = before?.postgres.find((n) => n.role === 'leader')?.name ?? null;
  const after = observations.filter((o) => o.atMs >= killAtMs);
  const down = after.find((o) => !isShownRunningLeader(o.postgres, killedNode));
  if (down !== undefined) {
    const node = down.postgres.find((n) => n.name === killedNode);
    section.oldLeaderDown = {
      atMs: down.atMs,
      afterKillMs: down.atMs - killAtMs,
      generatedAtMs: generatedAt(down),
      role: node?.role ?? 'absent',
      state: node?.state ?? 'absent',
    };
  }
  const isNewLeader = (n: MapNode): boolean => n.role === 'leader' && n.name !== killedNode && (promotion === null || n.name === promotion.leader);
  const shown = after.find((o) => o.postgres.some(isNewLeader));
  const leader = shown?.postgres.find(isNewLeader);
  if (shown !== undefined && leader !== undefined) {
    section.newLeaderShown = {
      atMs: shown.atMs,
      name: leader.name,
      afterKillMs: shown.atMs - killAtMs,
      afterPromotionMs: promotion === null ? null : shown.atMs - promotion.atMs,
      generatedAtMs: generatedAt(shown),
    };
  }
  return section;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const signedSeconds = (ms: number): string => `${ms < 0 ? '−' : '+'} ${(Math.abs(ms) / 1000).toFixed(2)} s`;

/** The report's two targets (timing targets: like the write outage, they inform; see run-drill for the verdict). */
export function liveMapTargets(section: LiveMapSection): { name: string; isMet: boolean; value: string }[] {
  const bound = section.boundMs / 1000;
  const killed = section.killedNode ?? 'the old leader';
  const down = section.oldLeaderDown;
  const shown = section.newLeaderShown;
  return [
    {
      name: `live map shows ${killed} down ≤ kill + ${bound} s`,
      isMet: down !== null && down.afterKillMs <= section.boundMs,
      value: down === null ? (section.error ?? 'never shown') : `kill ${signedSeconds(down.afterKillMs)}`,
    },
    {
      name: `live map shows the new leader ≤ promotion + ${bound} s`,
      isMet: shown !== null && shown.afterPromotionMs !== null && shown.afterPromotionMs <= section.boundMs,
      value:
        shown === null
          ? (section.error ?? 'never shown')
          : shown.afterPromotionMs === null
            ? `${shown.name} at kill ${signedSeconds(shown.afterKillMs)}; promotion time unknown`
            : `${shown.name} at promotion ${signedSeconds(shown.afterPromotionMs)} (Patroni failover ${section.failoverMs === null ? '?' : seconds(section.failoverMs)})`,
    },
  ];
}

function nodesLine(nodes: readonly MapNode[]): string {
  return nodes.map((n) => `${n.name} ${n.role}/${n.state}${n.timeline === null ? '' : ` tl${String(n.timeline)}`}`).join(' · ');
}

export function renderLiveMapMarkdown(section: LiveMapSection): string[] {
  const lines = ['## Live map', ''];
  const [first, ...fallbacks] = section.gateways;
  lines.push(
    `The admin console's failover map (\`GET /v1/admin/overview/stream\`) watched by a drill auditor signed in with TOTP, on ${first ?? '—'}` +
      `${fallbacks.length > 0 ? ` (failing over to ${fallbacks.join(', ')} if the stream dropped)` : ''}: ${section.events} events, longest gap ${seconds(section.maxGapMs)}, ${section.switches.length} stream switches.`,
    '',
  );
  if (section.error !== null) lines.push(`**Could not watch the map:** ${section.error}`, '');
  if (section.killedNode !== null && section.killAtMs !== null) {
    const kill = section.killAtMs;
    const promotion = section.promotion;
    const made = (generatedAtMs: number | null, from: number | null, label: string): string =>
      generatedAtMs === null || from === null ? '—' : `${seconds(generatedAtMs)} (${label} ${signedSeconds(generatedAtMs - from)})`;
    lines.push('| moment | drill time (arrived) | relative | snapshot made by the collector |', '|---|---|---|---|');
    lines.push(`| map before the kill shows leader | — | ${section.leaderBeforeKill ?? 'none'} | — |`);
    lines.push(`| ${section.killedNode} SIGKILLed | ${seconds(kill)} | — | — |`);
    const down = section.oldLeaderDown;
    lines.push(
      down === null
        ? `| map: ${section.killedNode} down | never | — | — |`
        : `| map: ${section.killedNode} down (${down.role}/${down.state}) | ${seconds(down.atMs)} | kill ${signedSeconds(down.afterKillMs)} | ${made(down.generatedAtMs, kill, 'kill')} |`,
    );
    lines.push(
      promotion === null
        ? '| Patroni promotion | not found in /history | — | — |'
        : `| Patroni promoted ${promotion.leader} (timeline ${String(promotion.timeline)}, ${promotion.at}) | ${seconds(promotion.atMs)} | kill ${signedSeconds(promotion.atMs - kill)} | — |`,
    );
    const shown = section.newLeaderShown;
    const from = promotion?.atMs ?? kill;
    const label = promotion === null ? 'kill' : 'promotion';
    lines.push(
      shown === null
        ? '| map: new leader | never | — | — |'
        : `| map: ${shown.name} leader | ${seconds(shown.atMs)} | ${label} ${signedSeconds(shown.atMs - from)} | ${made(shown.generatedAtMs, from, label)} |`,
    );
    lines.push('');
  }
  if (section.switches.length > 0) {
    lines.push('Stream switches:', '', ...section.switches.map((s) => `- ${seconds(s.atMs)}: ${s.from} → ${s.to} (${s.reason})`), '');
  }
  if (section.changes.length > 0) {
    const shown = section.changes.slice(0, 40);
    lines.push(
      'Map changes (Postgres nodes as the stream showed them; the snapshot’s age when it arrived):',
      '',
      ...shown.map((c) => `- ${seconds(c.atMs)} (${c.gateway}${c.ageMs == null ? '' : `, ${seconds(c.ageMs)} old`}): ${nodesLine(c.postgres)}`),
    );
    if (section.changes.length > shown.length) lines.push(`- … ${String(section.changes.length - shown.length)} more`);
    lines.push('');
  }
  return lines;
}

// --- I/O: the drill admin, the sign-in, the stream ---------------------------------------------

export interface DrillAdmin {
  id: string;
  email: string;
  /** The admin session (`hfa_…`): never logged. */
  sessionToken: string;
  /** The gateway it signed in through. */
  signedInVia: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface TrpcAnswer {
  status: number;
  data: unknown;
  code: string | null;
  message: string | null;
}

async function trpc(
  url: string,
  procedure: string,
  options: { input?: unknown; bearer?: string; method?: 'GET' | 'POST'; timeoutMs?: number },
): Promise<TrpcAnswer> {
  const method = options.method ?? 'POST';
  const headers: Record<string, string> = options.bearer === undefined ? {} : { authorization: `Bearer ${options.bearer}` };
  const response = await fetch(`${url}/trpc/${procedure}`, {
    method,
    headers: method === 'POST' ? { ...headers, 'content-type': 'application/json' } : headers,
    ...(method === 'POST' ? { body: JSON.stringify(options.input ?? {}) } : {}),
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  });
  const body = (await response.json().catch(() => null)) as {
    result?: { data?: unknown };
    error?: { message?: string; data?: { holdfastCode?: string } };
  } | null;
  return { status: response.status, data: body?.result?.data ?? null, code: body?.error?.data?.holdfastCode ?? null, message: body?.error?.message ?? null };
}

function dataOf(answer: TrpcAnswer, what: string): unknown {
  if (answer.status !== 200 || answer.code !== null)
    throw new Error(`${what}: HTTP ${String(answer.status)} ${answer.code ?? ''} ${answer.message ?? ''}`.trim());
  return answer.data;
}

/** `holdfast admin create` from source (tsx, as `npm run drill` runs), the password on stdin (never an argument). */
async function runAdminCreate(config: ClusterConfig, options: { email: string; password: string; region: string; login: DatabaseLogin }): Promise<void> {
  const child = spawn(
    path.join(config.repoRoot, 'node_modules', '.bin', 'tsx'),
    [
      path.join(config.repoRoot, 'apps', 'cli', 'src', 'bin', 'holdfast.ts'),
      'admin',
      'create',
      '--email',
      options.email,
      '--name',
      'Drill live map',
      '--role',
      'auditor',
    ],
    {
      cwd: config.repoRoot,
      env: { PATH: childPath(), LANG: 'C.UTF-8', DATABASE_URL: databaseUrlsFor(config, options.region, options.login), HOLDFAST_REGION: options.region },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stdout.resume();
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdin.end(options.password);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => {
      resolve(exitCode);
    });
  });
  if (code !== 0) throw new Error(`holdfast admin create exited ${String(code)}: ${stderr.trim().slice(-300)}`);
}

/**
 * An auditor (overview.read is all it needs) made by the CLI, signed in through `gatewayUrl`:
 * password, then the first-sign-in TOTP enrollment confirmed with a code core computes.
 */
export async function createDrillAdmin(options: {
  config: ClusterConfig;
  db: Pick<Database, 'pool'>;
  login: DatabaseLogin;
  region: string;
  gateway: { id: string; url: string };
}): Promise<DrillAdmin> {
  const email = `drill-map-${randomBytes(6).toString('hex')}@holdfast.example`;
  const password = randomBytes(24).toString('base64url');
  await runAdminCreate(options.config, { email, password, region: options.region, login: options.login });
  const { rows } = await options.db.pool.query<{ id: string }>('SELECT id FROM admin_accounts WHERE email = $1', [email]);
  const id = rows[0]?.id;
  if (id === undefined) throw new Error('holdfast admin create succeeded but the account is not in admin_accounts');
  const url = options.gateway.url;
  const started = dataOf(await trpc(url, 'admin.auth.signIn', { input: { email, password } }), 'admin.auth.signIn') as {
    pendingToken?: string;
    mustEnroll?: boolean;
  };
  if (typeof started.pendingToken !== 'string' || started.mustEnroll !== true)
    throw new Error('admin.auth.signIn: expected a first sign-in that must enroll a factor');
  const pendingToken = started.pendingToken;
  const begun = dataOf(await trpc(url, 'admin.auth.enrollTotpBegin', { input: { pendingToken } }), 'admin.auth.enrollTotpBegin') as {
    otpauthUri?: string;
    secretBase32?: string;
  };
  if (typeof begun.secretBase32 !== 'string') throw new Error('admin.auth.enrollTotpBegin: no secret');
  const code = await generateTotpCode({ secret: begun.secretBase32, params: totpParamsFromUri(begun.otpauthUri ?? ''), at: new Date() });
  const signedIn = dataOf(await trpc(url, 'admin.auth.enrollTotpConfirm', { input: { pendingToken, code } }), 'admin.auth.enrollTotpConfirm') as {
    sessionToken?: string;
  };
  if (typeof signedIn.sessionToken !== 'string') throw new Error('admin.auth.enrollTotpConfirm: no session');
  return { id, email, sessionToken: signedIn.sessionToken, signedInVia: options.gateway.id };
}

/**
 * Asks each gateway for one snapshot with the session: a gateway accepts a session it verified in
 * the last 60 s while its database is unavailable (overview.read only), so a stream that fails over
 * during the outage finds the next gateway ready for it. Returns the gateways that refused.
 */
export async function warmGateways(gateways: readonly { id: string; url: string }[], bearer: string): Promise<string[]> {
  const answers = await Promise.all(
    gateways.map(async (g) => {
      try {
        const answer = await trpc(g.url, 'admin.overview.snapshot', { bearer, method: 'GET', timeoutMs: 3_000 });
        return answer.status === 200 ? null : `${g.id}: HTTP ${String(answer.status)} ${answer.code ?? ''}`.trim();
      } catch (error) {
        return `${g.id}: ${(error as Error).message}`;
      }
    }),
  );
  return answers.filter((a): a is string => a !== null);
}

export interface LiveMapWatch {
  observations: MapObservation[];
  switches: MapStreamSwitch[];
  /** Resolves true at the first event, false if none came within `timeoutMs`. */
  firstEvent: (timeoutMs: number) => Promise<boolean>;
  stop: () => Promise<void>;
}

/**
 * Watches the overview stream on the first gateway; when a stream ends, errs, is refused or stays
 * silent for `stallMs`, it moves on to the next gateway (round robin), as the console reconnects.
 */
export function watchLiveMap(options: {
  gateways: readonly { id: string; url: string }[];
  bearer: string;
  sinceStart: () => number;
  stallMs?: number;
  retryMs?: number;
}): LiveMapWatch {
  const { gateways, sinceStart } = options;
  const stallMs = options.stallMs ?? streamStallMs;
  const retryMs = options.retryMs ?? 250;
  const observations: MapObservation[] = [];
  const switches: MapStreamSwitch[] = [];
  const stopping = new AbortController();
  const isStopped = (): boolean => stopping.signal.aborted;

  const streamFrom = async (gateway: { id: string; url: string }): Promise<string> => {
    const abort = new AbortController();
    const onStop = (): void => {
      abort.abort();
    };
    stopping.signal.addEventListener('abort', onStop, { once: true });
    // An object, not two lets: the watchdog's writes happen in a callback the type checker cannot follow.
    const heard = { lastAt: Date.now(), stalled: false };
    const watchdog = setInterval(() => {
      if (Date.now() - heard.lastAt > stallMs) {
        heard.stalled = true;
        abort.abort();
      }
    }, 250);
    try {
      const response = await fetch(`${gateway.url}/v1/admin/overview/stream`, {
        headers: { authorization: `Bearer ${options.bearer}`, accept: 'text/event-stream' },
        signal: abort.signal,
      });
      if (response.status !== 200 || response.body === null) {
        await response.body?.cancel().catch(() => undefined);
        return `HTTP ${String(response.status)}`;
      }
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of response.body) {
        heard.lastAt = Date.now();
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        const split = splitSseFrames(buffer);
        buffer = split.rest;
        for (const frame of split.frames) {
          if (frame.event !== 'overview' || frame.data === null) continue;
          const overview = overviewOf(frame.data);
          if (overview === null) continue;
          const ageMs = overview.generatedAtEpochMs === null ? null : Date.now() - overview.generatedAtEpochMs;
          observations.push({ atMs: Math.round(sinceStart()), gateway: gateway.id, ageMs, postgres: overview.postgres });
        }
      }
      return 'stream ended';
    } catch (error) {
      if (heard.stalled) return `silent for ${String(stallMs / 1000)} s`;
      return isStopped() ? 'stopped' : `${(error as Error).name}: ${(error as Error).message}`;
    } finally {
      clearInterval(watchdog);
      stopping.signal.removeEventListener('abort', onStop);
    }
  };

  const loop = (async () => {
    if (gateways.length === 0) return;
    for (let i = 0; !isStopped(); i += 1) {
      const gateway = gateways[i % gateways.length];
      if (gateway === undefined) return;
      const reason = await streamFrom(gateway);
      if (isStopped()) return;
      const next = gateways[(i + 1) % gateways.length];
      switches.push({ atMs: Math.round(sinceStart()), from: gateway.id, to: next?.id ?? gateway.id, reason });
      await sleep(retryMs);
    }
  })();

  return {
    observations,
    switches,
    firstEvent: async (timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (observations.length === 0 && Date.now() < deadline) await sleep(100);
      return observations.length > 0;
    },
    stop: async () => {
      stopping.abort();
      await loop;
    },
  };
}

/** Patroni's /history from whichever node answers (waits up to `waitMs` for a promotion after the kill to appear). */
export async function readPromotion(
  config: ClusterConfig,
  options: { killedNode: string; killEpochMs: number; startEpochMs: number; waitMs?: number },
): Promise<Promotion | null> {
  const deadline = Date.now() + (options.waitMs ?? 15_000);
  for (;;) {
    for (const region of config.regions) {
      try {
        const response = await fetch(`${regionUrl(region, region.node.restPort)}/history`, { signal: AbortSignal.timeout(2_000) });
        if (!response.ok) continue;
        const promotion = promotionAfterKill(await response.json(), options);
        if (promotion !== null) return promotion;
      } catch {
        // that node is down or restarting: ask the next
      }
    }
    if (Date.now() >= deadline) return null;
    await sleep(1_000);
  }
}

/**
 * Retires the drill admin: signs the session out through a gateway that answers (audited
 * `admin.signed_out`), then disables the account and ends any session left, audited as an admin
 * action in the same transaction (the drill acts on its own account; nothing secret in the detail).
 */
export async function retireDrillAdmin(options: {
  db: Pick<Database, 'pool'>;
  admin: DrillAdmin;
  gateways: readonly { id: string; url: string }[];
  region: string;
}): Promise<{ signedOut: boolean }> {
  const { admin } = options;
  let signedOut = false;
  for (const gateway of options.gateways) {
    try {
      const answer = await trpc(gateway.url, 'admin.session.signOut', { bearer: admin.sessionToken, timeoutMs: 5_000 });
      if (answer.status === 200) {
        signedOut = true;
        break;
      }
    } catch {
      // try the next gateway
    }
  }
  await withTransaction(options.db.pool, null, async (sql) => {
    const { rows } = await sql.query<{ user_id: string; application_id: string; role: string; disabled_at: Date }>(
      `UPDATE admin_accounts a SET disabled_at = now() FROM users u
        WHERE a.id = $1 AND u.id = a.user_id AND a.disabled_at IS NULL
        RETURNING a.user_id, u.application_id, a.role::text AS role, a.disabled_at`,
      [admin.id],
    );
    await sql.query('UPDATE admin_sessions SET revoked_at = GREATEST(now(), created_at) WHERE admin_id = $1 AND revoked_at IS NULL', [admin.id]);
    const row = rows[0];
    if (row === undefined) return;
    await writeAuditEvent(sql, {
      type: 'admin.action',
      gatewayId: 'drill',
      region: options.region,
      applicationId: row.application_id,
      userId: row.user_id,
      detail: {
        adminId: admin.id,
        adminEmail: admin.email,
        adminRole: row.role,
        sessionId: null,
        action: 'admins.write',
        target: `admin:${admin.id}`,
        before: { disabledAt: null },
        after: { disabledAt: row.disabled_at.toISOString() },
        by: 'drill: the live map check retires its own auditor',
      },
    });
  });
  return { signedOut };
}

// --- the check as the drill runs it -----------------------------------------------------------

export interface LiveMapCheck {
  /** Opens the stream (drill time starts now). */
  watch: (sinceStart: () => number) => void;
  /** Just before the disruption: every watched gateway verifies the session once more (the 60-s outage grace). */
  beforeDisruption: () => Promise<void>;
  /** Stops watching, reads Patroni's promotion, retires the drill admin; the report's section and events to add. */
  finish: (options: {
    killed: { node: string; atMs: number } | null;
    startEpochMs: number;
  }) => Promise<{ section: LiveMapSection; events: { atMs: number; what: string }[] }>;
}

/**
 * Prepares the check before the load starts: the gateways to watch (outside the region about to be
 * hit first; region-down kills that region's gateways, so they are left out), the auditor and its
 * session. Never throws: a check that could not be set up reports why and misses its targets.
 */
export async function prepareLiveMapCheck(options: {
  config: ClusterConfig;
  db: Pick<Database, 'pool'>;
  login: DatabaseLogin;
  scenario: 'primary-kill' | 'region-down';
  /** The region the scenario hits (the leader's). */
  targetRegion: string;
  gateways: readonly { id: string; url: string; region: string }[];
  log: (line: string) => void;
}): Promise<LiveMapCheck> {
  const { log } = options;
  const outside = options.gateways.filter((g) => g.region !== options.targetRegion);
  const inside = options.scenario === 'primary-kill' ? options.gateways.filter((g) => g.region === options.targetRegion) : [];
  const gateways = [...outside, ...inside];
  const ids = gateways.map((g) => g.id);
  let admin: DrillAdmin | null = null;
  let error: string | null = null;
  const first = gateways[0];
  if (first === undefined) error = 'no gateway outside the region the drill hits';
  else {
    try {
      admin = await createDrillAdmin({ config: options.config, db: options.db, login: options.login, region: first.region, gateway: first });
      const refused = await warmGateways(gateways, admin.sessionToken);
      log(
        `live map: drill auditor ${admin.email} signed in with TOTP through ${first.id}${refused.length > 0 ? `; snapshot refused by ${refused.join(', ')}` : ''}`,
      );
    } catch (cause) {
      error = `setting up the drill admin failed: ${(cause as Error).message}`;
      log(`live map: ${error}`);
    }
  }
  let watching: LiveMapWatch | null = null;
  return {
    watch: (sinceStart) => {
      if (admin !== null) watching = watchLiveMap({ gateways, bearer: admin.sessionToken, sinceStart });
    },
    beforeDisruption: async () => {
      if (admin === null) return;
      const w: LiveMapWatch | null = watching;
      if (w !== null && !(await w.firstEvent(5_000))) log('live map: no overview event yet before the disruption');
      await warmGateways(gateways, admin.sessionToken);
    },
    finish: async ({ killed, startEpochMs }) => {
      const w: LiveMapWatch | null = watching;
      if (w !== null) await w.stop();
      const promotion =
        killed === null ? null : await readPromotion(options.config, { killedNode: killed.node, killEpochMs: startEpochMs + killed.atMs, startEpochMs });
      const section = analyzeLiveMap({
        observations: w?.observations ?? [],
        switches: w?.switches ?? [],
        gateways: ids,
        killedNode: killed?.node ?? null,
        killAtMs: killed?.atMs ?? null,
        promotion,
        error: error ?? (w !== null && w.observations.length === 0 ? 'the overview stream sent no event' : null),
      });
      if (admin !== null) {
        try {
          const retired = await retireDrillAdmin({ db: options.db, admin, gateways, region: first?.region ?? 'drill' });
          log(`live map: drill auditor disabled${retired.signedOut ? ' (signed out first)' : ' (sign-out refused; session revoked in the database)'}`);
        } catch (cause) {
          log(`live map: could not disable the drill auditor ${admin.email}: ${(cause as Error).message}`);
        }
      }
      const events: { atMs: number; what: string }[] = [];
      if (promotion !== null)
        events.push({ atMs: promotion.atMs, what: `Patroni promoted ${promotion.leader} (timeline ${String(promotion.timeline)}; /history)` });
      if (section.oldLeaderDown !== null && killed !== null)
        events.push({ atMs: section.oldLeaderDown.atMs, what: `live map: ${killed.node} shown ${section.oldLeaderDown.role}/${section.oldLeaderDown.state}` });
      if (section.newLeaderShown !== null) events.push({ atMs: section.newLeaderShown.atMs, what: `live map: ${section.newLeaderShown.name} shown leader` });
      for (const t of liveMapTargets(section)) log(`live map: ${t.isMet ? 'met' : 'NOT met'}: ${t.name} (${t.value})`);
      return { section, events };
    },
  };
}
