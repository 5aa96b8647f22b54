'use client';

import { useEffect, useRef, useState } from 'react';
import { formatTime } from '../../../lib/format';
import { parseStreamedRecord, type StreamedAuditRecord } from './audit-record';

type Connection = 'connecting' | 'live' | 'reconnecting' | 'forbidden';

/** The newest this many stay on the page; older ones are a search away. */
const keepAtMost = 50;
/** After a stream the browser gave up on (not a plain drop), open a new one after this long. */
const reopenAfterMs = 3000;

const connectionText: Record<Connection, string> = {
  connecting: 'Connecting to the live audit stream…',
  live: 'Live: new events appear here as the gateways seal them.',
  reconnecting: 'Reconnecting to the live audit stream… Events sealed meanwhile will follow, none missed.',
  forbidden: 'Your role does not allow the live audit stream.',
};

/**
 * The audit trail live: an EventSource on this console's /audit/stream (the server proxies a
 * gateway's SSE with the admin bearer). Each event's id is its leaf index, so after a drop the
 * browser resumes with Last-Event-ID by itself; if it gave up on the stream instead, a new one is
 * opened with `?after=` the last leaf shown. Either way nothing is missed or shown twice (only
 * sealed events are sent, in leaf order), and the page says while it is reconnecting.
 */
export function LiveAudit({ afterLeafIndex, applicationNames }: { afterLeafIndex: number | null; applicationNames: Record<string, string> }) {
  const [records, setRecords] = useState<StreamedAuditRecord[]>([]);
  const [connection, setConnection] = useState<Connection>('connecting');
  const [received, setReceived] = useState(0);
  const lastLeaf = useRef<number | null>(afterLeafIndex);

  useEffect(() => {
    let source: EventSource | null = null;
    let reopenTimer: ReturnType<typeof setTimeout> | null = null;
    let isClosed = false;

    function open() {
      source?.close();
      const after = lastLeaf.current;
      source = new EventSource(after === null ? '/audit/stream' : `/audit/stream?after=${String(after)}`);
      source.addEventListener('open', () => {
        setConnection('live');
      });
      source.addEventListener('audit', (event: MessageEvent<string>) => {
        const record = parseStreamedRecord(event.data);
        if (record === null) return;
        // Leaves come in order; one at or below the last shown was already shown.
        if (lastLeaf.current !== null && record.leafIndex <= lastLeaf.current) return;
        lastLeaf.current = record.leafIndex;
        setConnection('live');
        setReceived((count) => count + 1);
        setRecords((shown) => [record, ...shown].slice(0, keepAtMost));
      });
      source.addEventListener('unavailable', () => {
        setConnection('reconnecting');
      });
      source.addEventListener('forbidden', () => {
        source?.close();
        setConnection('forbidden');
      });
      source.addEventListener('session-ended', () => {
        source?.close();
        isClosed = true;
        window.location.assign('/session-ended');
      });
      source.addEventListener('error', () => {
        if (isClosed) return;
        setConnection((current) => (current === 'forbidden' ? current : 'reconnecting'));
        // CONNECTING: the browser retries by itself with Last-Event-ID. CLOSED: it gave up; start over after the last leaf.
        if (source?.readyState === EventSource.CLOSED && reopenTimer === null) {
          reopenTimer = setTimeout(() => {
            reopenTimer = null;
            if (!isClosed) open();
          }, reopenAfterMs);
        }
      });
    }

    open();
    return () => {
      isClosed = true;
      source?.close();
      if (reopenTimer !== null) clearTimeout(reopenTimer);
    };
  }, []);

  return (
    <section className="card" aria-labelledby="live-title">
      <h2 id="live-title">Live stream</h2>
      <p className="live-line">
        <span className={`live-dot ${connection === 'live' ? 'live' : connection === 'reconnecting' ? 'polling' : ''}`} aria-hidden="true" />
        <span role="status" data-testid="audit-connection">
          {connectionText[connection]}
          {received > 0 ? ` ${String(received)} new event${received === 1 ? '' : 's'} since this page opened.` : ''}
        </span>
      </p>
      {records.length === 0 ? (
        <p className="muted">No new events yet. A verification, an enrollment or an admin action shows up here within a second or two.</p>
      ) : (
        <ol className="audit-feed" data-testid="audit-live-list">
          {records.map((record) => (
            <li key={record.leafIndex} className="audit-feed-item">
              <p className="audit-feed-head">
                <span className="audit-type">{record.type}</span> <span className="muted">leaf {record.leafIndex}</span>
              </p>
              <p className="audit-feed-meta">
                {formatTime(record.occurredAt)}
                {' · '}
                {record.applicationId === null ? 'no application' : (applicationNames[record.applicationId] ?? record.applicationId)}
                {' · '}
                {record.gatewayId} ({record.region}){record.attemptId === null ? '' : ` · attempt ${record.attemptId}`}
              </p>
              <a href={`/audit/events/${record.eventId}`}>
                Details
                <span className="visually-hidden">
                  {' '}
                  of {record.type} at leaf {record.leafIndex}
                </span>
              </a>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
