// The outage spool on /metrics, read from the spool when scraped:
//   holdfast_audit_spool_events{gateway,region}               gauge: events waiting on disk
//   holdfast_audit_spool_bytes{gateway,region}                gauge
//   holdfast_audit_spool_oldest_age_seconds{gateway,region}   gauge: 0 when empty
//   holdfast_audit_spool_dropped_total{gateway,region}        counter: events lost (spool full, disk error, refused row)
//   holdfast_audit_spool_replayed_total{gateway,region}       counter: events confirmed in the table by a replay
//   holdfast_audit_spool_replay_duplicates_total{gateway,region}  counter: of those, already there (a replay sent again)
// Summed across cluster workers (each has its own spool); the age is the oldest of them.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AuditSpoolStatus } from './audit-spool';

export function registerAuditSpoolMetrics(options: { registry: Registry; labels: { gateway: string; region: string }; status: () => AuditSpoolStatus }): void {
  const { labels, status } = options;
  const registers = [options.registry];
  const labelNames = ['gateway', 'region'] as const;
  const gauge = (name: string, help: string, read: (s: AuditSpoolStatus) => number, aggregator: 'sum' | 'max'): void => {
    new Gauge({
      name,
      help,
      labelNames,
      aggregator,
      registers,
      collect() {
        this.set(labels, read(status()));
      },
    });
  };
  const counter = (name: string, help: string, read: (s: AuditSpoolStatus) => number): void => {
    new Counter({
      name,
      help,
      labelNames,
      registers,
      collect() {
        // The spool keeps the running total (it counts from process start, before /metrics exists).
        this.reset();
        this.inc(labels, read(status()));
      },
    });
  };
  gauge('holdfast_audit_spool_events', 'Audit events in the outage spool, not yet in the database.', (s) => s.events, 'sum');
  gauge('holdfast_audit_spool_bytes', 'Bytes of the outage spool on disk.', (s) => s.bytes, 'sum');
  gauge('holdfast_audit_spool_oldest_age_seconds', 'Age of the oldest spooled audit event (0: empty).', (s) => (s.oldestAgeMs ?? 0) / 1000, 'max');
  counter('holdfast_audit_spool_dropped_total', 'Audit events the spool could not keep (full, disk error) or the database refused for good.', (s) => s.dropped);
  counter('holdfast_audit_spool_replayed_total', 'Spooled audit events confirmed in the database by a replay.', (s) => s.replayed);
  counter(
    'holdfast_audit_spool_replay_duplicates_total',
    'Replayed audit events that were already in the database (sent again after a crash).',
    (s) => s.duplicates,
  );
}
