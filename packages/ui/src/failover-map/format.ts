// Text for the live failover map: every state is words (and an icon hidden from screen readers),
// never colour alone (WCAG 1.4.1). Times are UTC and locale-free, so server and browser agree.
import type { GatewayStatus, PostgresNodeStatus, PostgresRole } from '@holdfast/validators';

export const roleText: Record<PostgresRole, string> = {
  leader: 'Leader',
  sync_standby: 'Sync standby',
  replica: 'Replica',
  unknown: 'Role unknown',
};

export const roleIcon: Record<PostgresRole, string> = {
  leader: '★',
  sync_standby: '⇄',
  replica: '↻',
  unknown: '?',
};

/** "0 B", "12.3 KiB", "4.0 MiB"; "unknown" for null. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return 'unknown';
  if (bytes < 1024) return `${String(Math.round(bytes))} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** "0.8 s", "12 s", "3 min", "2 h". */
export function formatDuration(ms: number): string {
  const clamped = Math.max(0, ms);
  if (clamped < 10_000) return `${(clamped / 1000).toFixed(1)} s`;
  if (clamped < 120_000) return `${String(Math.round(clamped / 1000))} s`;
  if (clamped < 2 * 3_600_000) return `${String(Math.round(clamped / 60_000))} min`;
  return `${String(Math.round(clamped / 3_600_000))} h`;
}

/** "Last updated 2 s ago" (whole seconds; "just now" under one). */
export function formatUpdated(generatedAt: string, now: number): string {
  const at = Date.parse(generatedAt);
  if (Number.isNaN(at)) return 'Last updated: unknown';
  const seconds = Math.max(0, Math.floor((now - at) / 1000));
  return seconds < 1 ? 'Last updated just now' : `Last updated ${String(seconds)} s ago`;
}

/** `2026-11-29 05:40:01 UTC` */
export function formatUtc(iso: string | null): string {
  if (iso === null) return 'time unknown';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function formatRate(perSecond: number | null): string {
  if (perSecond === null) return '—';
  return `${perSecond < 10 ? perSecond.toFixed(1) : String(Math.round(perSecond))} req/s`;
}

export function formatPercent(share: number | null): string {
  if (share === null) return '—';
  const percent = share * 100;
  return `${percent >= 99.95 || percent === 0 ? percent.toFixed(0) : percent.toFixed(1)} %`;
}

export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  return `${ms < 10 ? ms.toFixed(1) : String(Math.round(ms))} ms`;
}

/** A Postgres node in one phrase: "Leader, running", "Down (unreachable)". */
export function nodeStateText(node: PostgresNodeStatus): string {
  if (node.state === 'unreachable') return 'Down (unreachable)';
  return `${roleText[node.role]}, ${node.state}`;
}

export type GatewayCondition = 'ready' | 'not_ready' | 'down';

export function gatewayCondition(gateway: GatewayStatus): GatewayCondition {
  if (!gateway.reachable) return 'down';
  return gateway.ready ? 'ready' : 'not_ready';
}

export const gatewayConditionText: Record<GatewayCondition, string> = {
  ready: 'Ready',
  not_ready: 'Not ready',
  down: 'Down (unreachable)',
};

export const gatewayConditionIcon: Record<GatewayCondition, string> = {
  ready: '✓',
  not_ready: '!',
  down: '✕',
};
