import type { ClusterOverview, EtcdMemberStatus, GatewayStatus, HaproxyStatus, PostgresNodeStatus, RegionStatus } from '@holdfast/validators';
import {
  formatBytes,
  formatDuration,
  formatMs,
  formatPercent,
  formatRate,
  formatUpdated,
  formatUtc,
  gatewayCondition,
  gatewayConditionIcon,
  gatewayConditionText,
  nodeStateText,
  roleIcon,
} from './format';

export interface FailoverMapProps {
  overview: ClusterOverview;
  /** The time "last updated" is measured from (ms); the console re-renders every second with Date.now(). */
  now?: number;
}

const sourceKindText: Record<string, string> = {
  topology: 'Topology',
  patroni: 'Patroni',
  etcd: 'etcd',
  haproxy: 'HAProxy',
  gateway: 'Gateway',
};

function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '-');
}

function PostgresNode({ node }: { node: PostgresNodeStatus }) {
  const isDown = node.state === 'unreachable';
  return (
    <li className={`fm-item fm-role-${isDown ? 'down' : node.role}`}>
      <span className="fm-icon" aria-hidden="true">
        {isDown ? '✕' : roleIcon[node.role]}
      </span>
      <span className="fm-name">{node.name}</span> <span className="fm-status">{nodeStateText(node)}</span>
      <span className="fm-detail">
        {' · '}timeline {node.timeline === null ? 'unknown' : String(node.timeline)}
        {node.role === 'leader' ? '' : ` · lag ${formatBytes(node.lagBytes)}`}
      </span>
    </li>
  );
}

function EtcdMember({ member }: { member: EtcdMemberStatus }) {
  return (
    <li className={`fm-item fm-${member.healthy ? 'ok' : 'bad'}`}>
      <span className="fm-icon" aria-hidden="true">
        {member.healthy ? '✓' : '✕'}
      </span>
      <span className="fm-name">{member.name}</span> <span className="fm-status">{member.healthy ? 'Healthy' : 'Unhealthy or unreachable'}</span>
      {member.isLeader === true ? <span className="fm-detail"> · raft leader</span> : null}
    </li>
  );
}

function Haproxy({ proxy }: { proxy: HaproxyStatus }) {
  return (
    <li className={`fm-item fm-${proxy.up ? 'ok' : 'bad'}`}>
      <span className="fm-icon" aria-hidden="true">
        {proxy.up ? '✓' : '✕'}
      </span>
      <span className="fm-name">{proxy.name}</span>{' '}
      <span className="fm-status">
        {proxy.up ? (proxy.primaryBackend === null ? 'Up, no primary' : `Up, writes go to ${proxy.primaryBackend}`) : 'Down (unreachable)'}
      </span>
    </li>
  );
}

function Gateway({ gateway }: { gateway: GatewayStatus }) {
  const condition = gatewayCondition(gateway);
  return (
    <li className={`fm-item fm-gateway fm-${condition === 'ready' ? 'ok' : condition === 'down' ? 'bad' : 'warn'}`}>
      <span className="fm-icon" aria-hidden="true">
        {gatewayConditionIcon[condition]}
      </span>
      <span className="fm-name">{gateway.id}</span> <span className="fm-status">{gatewayConditionText[condition]}</span>
      {gateway.historyRewritten ? (
        <strong className="fm-alarm">
          {' '}
          <span aria-hidden="true">⚠</span> Audit history rewritten
        </strong>
      ) : null}
      {condition === 'down' ? null : (
        <dl className="fm-stats">
          <div>
            <dt>Canary</dt>
            <dd>
              {gateway.canaryLatencyMs === null
                ? 'no run yet'
                : `${formatMs(gateway.canaryLatencyMs)}, ${gateway.canaryAgeMs === null ? '' : `${formatDuration(gateway.canaryAgeMs)} ago`}`}
            </dd>
          </div>
          <div>
            <dt>Rate</dt>
            <dd>{formatRate(gateway.requestsPerSecond)}</dd>
          </div>
          <div>
            <dt>Success</dt>
            <dd>{formatPercent(gateway.successRate)}</dd>
          </div>
          <div>
            <dt>p99</dt>
            <dd>{formatMs(gateway.p99Ms)}</dd>
          </div>
          {gateway.auditSpoolEvents !== null && gateway.auditSpoolEvents > 0 ? (
            <div>
              <dt>Spooled audit events</dt>
              <dd>{String(gateway.auditSpoolEvents)}</dd>
            </div>
          ) : null}
        </dl>
      )}
    </li>
  );
}

function Region({ region }: { region: RegionStatus }) {
  const headingId = `fm-region-${slug(region.name)}`;
  return (
    <section className="fm-region" aria-labelledby={headingId}>
      <h3 id={headingId}>{region.name}</h3>
      <h4>Postgres</h4>
      {region.postgres.length === 0 ? (
        <p className="fm-empty">No Postgres node in this region</p>
      ) : (
        <ul className="fm-list">
          {region.postgres.map((node) => (
            <PostgresNode key={node.name} node={node} />
          ))}
        </ul>
      )}
      {region.etcd.length === 0 ? null : (
        <>
          <h4>etcd</h4>
          <ul className="fm-list">
            {region.etcd.map((member) => (
              <EtcdMember key={member.name} member={member} />
            ))}
          </ul>
        </>
      )}
      {region.haproxy.length === 0 ? null : (
        <>
          <h4>HAProxy</h4>
          <ul className="fm-list">
            {region.haproxy.map((proxy) => (
              <Haproxy key={proxy.name} proxy={proxy} />
            ))}
          </ul>
        </>
      )}
      <h4>Gateways</h4>
      {region.gateways.length === 0 ? (
        <p className="fm-empty">No gateway in this region</p>
      ) : (
        <ul className="fm-list">
          {region.gateways.map((gateway) => (
            <Gateway key={gateway.id} gateway={gateway} />
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * The admin console's live failover map (issue 13): regions side by side (stacked on a phone),
 * each with its Postgres nodes, etcd, HAProxy and gateways; the failover timeline from Patroni's
 * history; when it was observed; and a banner naming every source that could not be reached, so
 * an unknown never passes for healthy. Presentational only: the console feeds it snapshots from
 * `admin.overview.snapshot` and the SSE stream. Styles: `@holdfast/ui/failover-map.css`.
 */
export function FailoverMap({ overview, now = Date.now() }: FailoverMapProps) {
  const unreachable = overview.sources.filter((s) => !s.ok);
  const pollMs = overview.pollIntervalMs ?? 1000;
  const ageMs = now - Date.parse(overview.generatedAt);
  const isStale = ageMs > Math.max(5_000, 3 * pollMs);
  const regionCount = overview.regions.length;
  const topologyText =
    overview.topology === 'single'
      ? 'Single region, one database without failover (npm start)'
      : `${String(regionCount)} region${regionCount === 1 ? '' : 's'}, Patroni cluster`;
  return (
    <section className="failover-map" aria-labelledby="fm-title">
      <div className="fm-header">
        <h2 id="fm-title">Live failover map</h2>
        <p className="fm-meta">
          {topologyText} · observed by {overview.observedBy.gatewayId} ({overview.observedBy.region}) ·{' '}
          <span className="fm-updated">{formatUpdated(overview.generatedAt, now)}</span>
        </p>
      </div>
      {isStale ? (
        <p className="fm-banner fm-banner-stale" role="status">
          <span aria-hidden="true">⚠</span> This view has not been updated for {formatDuration(ageMs)}: the connection to the gateway may be lost.
        </p>
      ) : null}
      {unreachable.length === 0 ? null : (
        <div className="fm-banner" role="alert">
          <p>
            <strong>
              <span aria-hidden="true">⚠</span> {String(unreachable.length)} source{unreachable.length === 1 ? '' : 's'} unreachable
            </strong>{' '}
            — what they report is shown as unknown, not as healthy.
          </p>
          <ul>
            {unreachable.map((s) => (
              <li key={`${s.kind ?? ''}:${s.name ?? ''}:${s.url}`}>
                {s.kind === undefined ? '' : `${sourceKindText[s.kind] ?? s.kind} `}
                {s.name ?? s.url}
                {s.name === undefined || s.url === '' ? '' : ` (${s.url})`}: {s.error ?? 'no answer'}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="fm-regions">
        {overview.regions.map((region) => (
          <Region key={region.name} region={region} />
        ))}
      </div>
      <section className="fm-timeline" aria-labelledby="fm-timeline-title">
        <h3 id="fm-timeline-title">Failover timeline</h3>
        {overview.failovers.length === 0 ? (
          <p className="fm-empty">
            {overview.topology === 'single' ? 'No failover history: a single database has no Patroni.' : 'No failover recorded: the first leader still leads.'}
          </p>
        ) : (
          <ol className="fm-events">
            {overview.failovers.map((event) => (
              <li key={event.timeline}>
                <time dateTime={event.at ?? undefined}>{formatUtc(event.at)}</time>: timeline {String(event.timeline)} began
                {event.leader === null ? '' : ` with ${event.leader} as leader`}
                {event.reason === undefined || event.reason === null ? '' : ` (${event.reason})`}
              </li>
            ))}
          </ol>
        )}
      </section>
    </section>
  );
}
