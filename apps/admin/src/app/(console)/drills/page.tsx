import '../audit/audit.css';
import './drills.css';
import type { Metadata } from 'next';
import { listDrills } from '../../../lib/admin-api-drills';
import { formatTime } from '../../../lib/format';
import { readForPage } from '../../../lib/page-read';
import { requireSession } from '../../../lib/session';
import { describeReadProblem } from '../audit/problems';
import { formatLossAndReplays, formatOutage, formatP99, formatSuccessRate } from './drill-format';

export const metadata: Metadata = { title: 'Drills' };

const pageSize = 30;

/** The drill history from drill_reports, newest first: what was drilled, when, and whether it held. */
export default async function DrillsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const session = await requireSession();
  const { cursor: rawCursor } = await searchParams;
  const cursor = typeof rawCursor === 'string' && rawCursor !== '' && rawCursor.length <= 64 ? rawCursor : null;
  const { value: list, problem } = await readForPage('listing drills', () => listDrills(session.token, { limit: pageSize, cursor }));
  return (
    <>
      <h1>Drills</h1>
      <p className="lead">
        Failover drills run with <code>npm run drill</code> against a cluster: load through the SDK while a node, a gateway or the database is taken away. Each
        report says whether its targets held.
      </p>
      {problem !== null && (
        <p className="error" role="alert">
          {describeReadProblem(problem)}
        </p>
      )}
      {list !== null && list.drills.length === 0 && <p className="muted">No drill has been recorded yet.</p>}
      {list !== null && list.drills.length > 0 && (
        <section aria-labelledby="history-title">
          <h2 id="history-title">History</h2>
          {/* Focusable so a keyboard can scroll it sideways on a phone. */}
          <div className="table-scroll" role="region" aria-labelledby="history-title" tabIndex={0}>
            <table data-testid="drill-list">
              <thead>
                <tr>
                  <th scope="col">Scenario</th>
                  <th scope="col">Started (UTC)</th>
                  <th scope="col">Result</th>
                  <th scope="col">Success</th>
                  <th scope="col">Write outage</th>
                  <th scope="col">p99</th>
                  <th scope="col">Lost / replays</th>
                </tr>
              </thead>
              <tbody>
                {list.drills.map((drill) => (
                  <tr key={drill.id}>
                    <td>
                      <a href={`/drills/${drill.id}`}>
                        {drill.scenario}
                        <span className="visually-hidden"> at {formatTime(drill.startedAt)}</span>
                      </a>
                    </td>
                    <td>{formatTime(drill.startedAt)}</td>
                    <td>{drill.isPassed ? <span className="state ok">✓ Passed</span> : <span className="state down">✗ Failed</span>}</td>
                    <td>{formatSuccessRate(drill.successRate)}</td>
                    <td>{formatOutage(drill.writeOutageMs)}</td>
                    <td>{formatP99(drill.p99Ms)}</td>
                    <td>{formatLossAndReplays(drill.lost, drill.replaysAccepted)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav aria-label="Drill pages" className="actions pager">
            {cursor !== null && <a href="/drills">Newest drills</a>}
            {list.nextCursor !== null && (
              <a href={`/drills?cursor=${encodeURIComponent(list.nextCursor)}`} rel="next">
                Older drills
              </a>
            )}
          </nav>
        </section>
      )}
    </>
  );
}
