// The live failover map's Server-Sent Events (issue 13): `event: overview` with the ClusterOverview
// as one line of JSON (JSON.stringify never emits a raw line break, so a value cannot end the
// frame early). Framing helpers for comments and `retry:` are the audit stream's (../audit-stream/sse).
import type { ClusterOverview } from '@holdfast/validators';

export function overviewFrame(overview: ClusterOverview): string {
  return `event: overview\ndata: ${JSON.stringify(overview)}\n\n`;
}

/**
 * What a viewer must see within a second when it changes: roles, states, timelines, health,
 * readiness, HAProxy's primary, the failover history and which sources answer. Ages, rates and
 * latencies move every poll; they go out with the at-least-every-few-seconds refresh instead.
 */
export function overviewChangeKey(overview: ClusterOverview): string {
  return JSON.stringify([
    overview.topology,
    overview.regions.map((r) => [
      r.name,
      r.postgres.map((p) => [p.name, p.role, p.state, p.timeline]),
      r.etcd.map((e) => [e.name, e.healthy, e.isLeader]),
      r.haproxy.map((h) => [h.name, h.up, h.primaryBackend]),
      r.gateways.map((g) => [g.id, g.reachable, g.ready, g.historyRewritten]),
    ]),
    overview.failovers.map((f) => [f.timeline, f.leader]),
    overview.sources.map((s) => [s.url, s.ok, s.error]),
  ]);
}
