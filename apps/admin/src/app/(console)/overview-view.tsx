import { FailoverMap } from '@holdfast/ui';
import type { ClusterOverview } from '@holdfast/validators';

/**
 * How the overview is drawn: the shared live failover map of @holdfast/ui (every state in words
 * and icons, not colour alone). `now` moves every second so "updated N s ago" and staleness show.
 */
export function OverviewView({ overview, now }: { overview: ClusterOverview; now: number }) {
  return <FailoverMap overview={overview} now={now} />;
}
