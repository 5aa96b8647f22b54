import type { ClusterOverview } from '@holdfast/validators';
import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { overviewSnapshot } from '../../lib/admin-api';
import { GatewayError } from '../../lib/gateway';
import { sessionEndedPath, requireSession } from '../../lib/session';
import { LiveOverview } from './live-overview';

export const metadata: Metadata = { title: 'Overview' };

/**
 * The live failover map: the first snapshot is rendered on the server (the page is useful before
 * any script runs), then the browser follows the gateways' event stream through /overview/stream,
 * falling back to polling /overview/snapshot while the stream is down.
 */
export default async function OverviewPage() {
  const session = await requireSession();
  let initial: ClusterOverview | null = null;
  let problem: string | null = null;
  try {
    initial = await overviewSnapshot(session.token);
  } catch (error) {
    if (error instanceof GatewayError && error.code === 'ADMIN_SESSION_INVALID') redirect(sessionEndedPath);
    problem = error instanceof GatewayError ? error.code : 'INTERNAL';
    if (!(error instanceof GatewayError)) console.error('holdfast admin: loading the overview failed', error);
  }
  return (
    <>
      <h1>Overview</h1>
      <LiveOverview initial={initial} initialProblem={problem} renderedAt={Date.now()} />
    </>
  );
}
