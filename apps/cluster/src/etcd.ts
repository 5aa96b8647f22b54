// Where etcd's raft leader is, and keeping it out of the Postgres primary's region (issue 14).
//
// Why: when an etcd member becomes leader it renews every lease to its full TTL plus one election
// timeout (etcd's lessor "Promote"). Patroni's leader key lives on such a lease, so a region-down
// that kills the etcd leader together with the primary starts the dead primary's ttl again only
// once etcd has elected a new leader: those runs took ~11 s instead of ~8 s at ttl 8. With the two
// leaders in different regions one region's death costs one expiry, never an election plus one.
import { regionUrl, type ClusterConfig, type RegionLayout } from './config';

/** An etcd member's client URL, named (the region's name in the cluster). */
export interface EtcdEndpoint {
  name: string;
  url: string;
}

interface MemberStatus {
  endpoint: EtcdEndpoint;
  memberId: string;
  leaderId: string;
}

async function postJson(url: string, body: unknown, timeoutMs: number): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as unknown;
}

/** One member's own id and the leader it follows (etcd's gRPC gateway; ids are uint64 as strings). */
async function memberStatus(endpoint: EtcdEndpoint, timeoutMs: number): Promise<MemberStatus | null> {
  try {
    const body = (await postJson(`${endpoint.url}/v3/maintenance/status`, {}, timeoutMs)) as { header?: { member_id?: string }; leader?: string };
    const memberId = body.header?.member_id;
    const leaderId = body.leader;
    if (memberId === undefined || leaderId === undefined || leaderId === '0') return null;
    return { endpoint, memberId, leaderId };
  } catch {
    return null;
  }
}

async function statuses(endpoints: readonly EtcdEndpoint[], timeoutMs: number): Promise<MemberStatus[]> {
  const answers = await Promise.all(endpoints.map((endpoint) => memberStatus(endpoint, timeoutMs)));
  return answers.filter((s): s is MemberStatus => s !== null);
}

/** The leading member's name, as the members that answer agree on it; null while none leads or they disagree. */
export async function etcdLeader(endpoints: readonly EtcdEndpoint[], timeoutMs = 1_000): Promise<string | null> {
  const all = await statuses(endpoints, timeoutMs);
  const leaders = new Set(all.map((s) => s.leaderId));
  if (leaders.size !== 1) return null;
  const [leaderId] = [...leaders];
  return all.find((s) => s.memberId === leaderId)?.endpoint.name ?? null;
}

/**
 * When the member named `away` leads, hands etcd's leadership to another member that follows it (a
 * planned raft transfer: no election timeout, and the new leader renews leases as any new leader
 * does — harmless here, the primary's own key is the one being renewed). Returns the new leader's
 * name, or null when nothing had to move (or no other member answered).
 */
export async function moveEtcdLeaderAway(endpoints: readonly EtcdEndpoint[], away: string, timeoutMs = 3_000): Promise<string | null> {
  const all = await statuses(endpoints, timeoutMs);
  const leader = all.find((s) => s.memberId === s.leaderId);
  if (leader === undefined || leader.endpoint.name !== away) return null;
  const target = all.find((s) => s.endpoint.name !== away && s.leaderId === leader.leaderId);
  if (target === undefined) return null;
  await postJson(`${leader.endpoint.url}/v3/maintenance/transfer-leadership`, { targetID: target.memberId }, timeoutMs);
  return target.endpoint.name;
}

export function etcdEndpoints(config: ClusterConfig): EtcdEndpoint[] {
  return config.regions.map((region) => ({ name: region.name, url: regionUrl(region, region.etcd.clientPort) }));
}

/** The region whose etcd member leads; null while none answers or the members disagree. */
export async function etcdLeaderRegion(config: ClusterConfig): Promise<RegionLayout | null> {
  const name = await etcdLeader(etcdEndpoints(config));
  return config.regions.find((r) => r.name === name) ?? null;
}
