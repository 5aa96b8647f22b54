import '../../audit/audit.css';
import '../drills.css';
import '@holdfast/ui/drill-chart.css';
import { DrillChart } from '@holdfast/ui';
import type { Metadata } from 'next';
import { getDrill, type DrillDetail } from '../../../../lib/admin-api-drills';
import { formatTime } from '../../../../lib/format';
import { readForPage, type PageRead } from '../../../../lib/page-read';
import { requireSession } from '../../../../lib/session';
import { describeReadProblem } from '../../audit/problems';
import { formatLossAndReplays, formatOutage, formatP99, formatSuccessRate } from '../drill-format';

export const metadata: Metadata = { title: 'Drill report' };

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One drill report: the verdict, its targets met and missed, the per-second chart, what happened when, and the markdown report. */
export default async function DrillPage({ params }: { params: Promise<{ drillId: string }> }) {
  const session = await requireSession();
  const { drillId } = await params;
  const { value: drill, problem }: PageRead<DrillDetail | null> = uuidPattern.test(drillId)
    ? await readForPage('reading a drill', () => getDrill(session.token, { id: drillId.toLowerCase() }))
    : { value: null, problem: null };
  const missed = drill?.targets.filter((target) => !target.isMet) ?? [];
  return (
    <>
      <p>
        <a href="/drills">← Drills</a>
      </p>
      <h1>{drill === null ? 'Drill report' : `Drill: ${drill.scenario}`}</h1>
      {problem !== null && (
        <p className="error" role="alert">
          {describeReadProblem(problem)}
        </p>
      )}
      {problem === null && drill === null && <p className="warning">There is no drill report with this id.</p>}
      {drill !== null && (
        <>
          <p className={drill.isPassed ? 'verdict passed' : 'verdict failed'} data-testid="drill-verdict">
            {drill.isPassed ? '✓ Passed: every target was met.' : `✗ Failed: ${String(missed.length)} target${missed.length === 1 ? '' : 's'} missed.`}
          </p>
          <p>{drill.description}</p>
          <dl className="facts-grid">
            <dt>Started</dt>
            <dd>{formatTime(drill.startedAt)}</dd>
            <dt>Finished</dt>
            <dd>{formatTime(drill.finishedAt)}</dd>
            <dt>Success</dt>
            <dd>{formatSuccessRate(drill.successRate)}</dd>
            <dt>Write outage</dt>
            <dd>{formatOutage(drill.writeOutageMs)}</dd>
            <dt>p99</dt>
            <dd>{formatP99(drill.p99Ms)}</dd>
            <dt>Lost / replays</dt>
            <dd>{formatLossAndReplays(drill.lost, drill.replaysAccepted)}</dd>
          </dl>

          <section className="card" aria-labelledby="targets-title">
            <h2 id="targets-title">Targets</h2>
            {drill.targets.length === 0 ? (
              <p className="muted">The report lists no targets.</p>
            ) : (
              <ul className="targets" data-testid="drill-targets">
                {drill.targets.map((target) => (
                  <li key={target.name} className={target.isMet ? 'target met' : 'target missed'}>
                    <span className="state">{target.isMet ? '✓ Met' : '✗ Missed'}</span> <span className="target-name">{target.name}</span>: {target.value}
                  </li>
                ))}
              </ul>
            )}
          </section>

          <section className="card" aria-labelledby="chart-title">
            <h2 id="chart-title">Per second</h2>
            <DrillChart
              id="drill-chart"
              timeline={drill.timeline}
              events={drill.events}
              title={`${drill.scenario}: requests sent, accepted and p99 latency per second`}
            />
          </section>

          <section className="card" aria-labelledby="events-title">
            <h2 id="events-title">Events</h2>
            {drill.events.length === 0 ? (
              <p className="muted">The report lists no events.</p>
            ) : (
              <ol className="drill-events">
                {drill.events.map((event, index) => (
                  <li key={`${String(index)}-${String(event.atMs)}`}>
                    <span className="mono">{(event.atMs / 1000).toFixed(2)} s</span> — {event.what}
                  </li>
                ))}
              </ol>
            )}
          </section>

          <section className="card" aria-labelledby="markdown-title">
            <h2 id="markdown-title">Report</h2>
            <p>
              <a href={`/drills/${drill.id}/report`} download>
                Download the report (Markdown)
              </a>
            </p>
            <details>
              <summary>Show the report as text</summary>
              <pre className="json" tabIndex={0} role="region" aria-label="Markdown report">
                {drill.markdown}
              </pre>
            </details>
          </section>
        </>
      )}
    </>
  );
}
