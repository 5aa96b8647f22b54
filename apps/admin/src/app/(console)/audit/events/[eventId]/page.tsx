import '../../audit.css';
import type { Metadata } from 'next';
import { getAuditEvent, type AuditGetOutput } from '../../../../../lib/admin-api-audit';
import { formatTime } from '../../../../../lib/format';
import { readForPage, type PageRead } from '../../../../../lib/page-read';
import { requireSession } from '../../../../../lib/session';
import { describeReadProblem } from '../../problems';

export const metadata: Metadata = { title: 'Audit event' };

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One audit event: every field, its detail JSON, its leaf index and — once sealed — the RFC 9162
 * inclusion proof against the latest signed checkpoint, which anyone can check offline.
 */
export default async function AuditEventPage({ params }: { params: Promise<{ eventId: string }> }) {
  const session = await requireSession();
  const { eventId } = await params;
  const { value: answer, problem }: PageRead<AuditGetOutput> | { value: null; problem: null } = uuidPattern.test(eventId)
    ? await readForPage('reading an audit event', () => getAuditEvent(session.token, { eventId: eventId.toLowerCase() }))
    : { value: null, problem: null };
  const event = answer?.event ?? null;
  const proof = answer?.proof ?? null;
  return (
    <>
      <p>
        <a href="/audit">← Audit</a>
      </p>
      <h1>Audit event</h1>
      {problem !== null && (
        <p className="error" role="alert">
          {describeReadProblem(problem)}
        </p>
      )}
      {problem === null && event === null && <p className="warning">There is no audit event with this id.</p>}
      {event !== null && (
        <>
          <section className="card" aria-labelledby="event-title">
            <h2 id="event-title" className="mono" data-testid="audit-event-type">
              {event.type}
            </h2>
            <dl className="facts-grid">
              <dt>Event id</dt>
              <dd className="mono">{event.eventId}</dd>
              <dt>When</dt>
              <dd>{formatTime(event.occurredAt)}</dd>
              <dt>Application</dt>
              <dd className="mono">{event.applicationId ?? 'none'}</dd>
              <dt>User</dt>
              <dd data-testid="audit-event-user">{event.userId ?? 'none'}</dd>
              <dt>Factor</dt>
              <dd className="mono">{event.factorId ?? 'none'}</dd>
              <dt>Attempt</dt>
              <dd className="mono" data-testid="audit-event-attempt">
                {event.attemptId ?? 'none'}
              </dd>
              <dt>Gateway</dt>
              <dd>
                {event.gatewayId} ({event.region})
              </dd>
              <dt>Row id</dt>
              <dd className="mono">{event.id}</dd>
              <dt>Leaf index</dt>
              <dd data-testid="audit-event-leaf">
                {event.leafIndex === null ? 'Not sealed yet (normally within a second): reload to see it.' : event.leafIndex}
              </dd>
            </dl>
            <h3 id="detail-title">Detail</h3>
            <pre className="json" tabIndex={0} role="region" aria-labelledby="detail-title">
              {JSON.stringify(event.detail, null, 2)}
            </pre>
          </section>
          <section className="card" aria-labelledby="proof-title">
            <h2 id="proof-title">Inclusion proof</h2>
            {proof === null ? (
              <p className="muted">No proof yet: the event is not sealed into the Merkle tree.</p>
            ) : (
              <>
                <p>
                  Leaf {proof.leafIndex} is in the tree of {proof.treeSize} events whose root is signed in the checkpoint below (RFC 9162 inclusion proof, hex
                  hashes; <code>holdfast audit proof</code> checks the same offline).
                </p>
                <dl className="facts-grid">
                  <dt>Tree size</dt>
                  <dd>{proof.treeSize}</dd>
                  <dt>Root hash</dt>
                  <dd className="mono">{proof.rootHash}</dd>
                </dl>
                <h3 id="path-title">Audit path ({proof.path.length} hashes)</h3>
                <ol className="proof-path mono" aria-labelledby="path-title">
                  {proof.path.map((hash, index) => (
                    <li key={`${String(index)}-${hash}`}>{hash}</li>
                  ))}
                </ol>
                <h3 id="note-title">Signed checkpoint</h3>
                <pre className="json" tabIndex={0} role="region" aria-labelledby="note-title">
                  {proof.checkpoint}
                </pre>
              </>
            )}
          </section>
        </>
      )}
    </>
  );
}
