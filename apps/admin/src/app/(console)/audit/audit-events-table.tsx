import type { AdminAuditEvent } from '@holdfast/validators';
import { formatTime } from '../../../lib/format';

/** Search results: one row an event, the newest first; the event type links to its detail. */
export function AuditEventsTable({
  events,
  applicationNames,
  labelledBy,
}: {
  events: readonly AdminAuditEvent[];
  applicationNames: Record<string, string>;
  labelledBy: string;
}) {
  if (events.length === 0) return <p className="muted">No events match.</p>;
  return (
    // Focusable so a keyboard can scroll it sideways on a phone.
    <div className="table-scroll" role="region" aria-labelledby={labelledBy} tabIndex={0}>
      <table data-testid="audit-results">
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">Time (UTC)</th>
            <th scope="col">Application</th>
            <th scope="col">User</th>
            <th scope="col">Gateway</th>
            <th scope="col">Leaf</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr key={event.eventId}>
              <td className="mono">
                {/* The type opens the event: the first column, so no sideways scroll is needed to reach it on a phone. */}
                <a href={`/audit/events/${event.eventId}`}>
                  {event.type}
                  <span className="visually-hidden"> at {formatTime(event.occurredAt)}</span>
                </a>
              </td>
              <td>{formatTime(event.occurredAt)}</td>
              <td>{event.applicationId === null ? '—' : (applicationNames[event.applicationId] ?? event.applicationId)}</td>
              <td>{event.userId ?? '—'}</td>
              <td>
                {event.gatewayId} ({event.region})
              </td>
              <td>{event.leafIndex === null ? 'not sealed yet' : event.leafIndex}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
