import type { Metadata } from 'next';
import { overviewSnapshot } from '../../lib/admin-api';
import { readForPage } from '../../lib/page-read';
import { requireSession } from '../../lib/session';
import { LiveOverview } from './live-overview';

export const metadata: Metadata = { title: 'Overview' };

/**
 * The live failover map: the first snapshot is rendered on the server (the page is useful before
 * any script runs), then the browser follows the gateways' event stream through /overview/stream,
 * falling back to polling /overview/snapshot while the stream is down.
 */
export default async function OverviewPage() {
  const session = await requireSession();
  const read = await readForPage('loading the overview', () => overviewSnapshot(session.token));
  return (
    <>
      <h1>Overview</h1>
      <LiveOverview initial={read.value} initialProblem={read.problem} renderedAt={Date.now()} />
    </>
  );
}
