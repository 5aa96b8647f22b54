'use client';

import { useState } from 'react';
import type { AdminWebhookDeliveries, AdminWebhookDelivery } from '../../../../lib/admin-api-applications';
import { useIsHydrated } from '../../../../components/use-is-hydrated';
import { formatTime } from '../../../../lib/format';
import type { ActionResult } from '../../../sign-in/types';

type Run = <T>(reason: string, action: () => Promise<ActionResult<T>>) => Promise<ActionResult<T>>;

const statusNames = { pending: 'Pending', delivered: 'Delivered', failed: 'Failed' } as const;

function attemptLine(attempt: AdminWebhookDelivery['attempts'][number]): string {
  const answer = attempt.statusCode === null ? (attempt.error ?? 'no answer') : `HTTP ${String(attempt.statusCode)}`;
  return `#${String(attempt.attempt)} ${formatTime(attempt.startedAt)} · ${answer} · ${Math.round(attempt.durationMs)} ms · ${attempt.gatewayId}`;
}

/** The webhook's delivery log, newest first, with each attempt and a redeliver button. */
export function DeliveryLog({
  applicationId,
  initial,
  initialProblem,
  mayRedeliver,
  run,
  load,
  redeliver,
}: {
  applicationId: string;
  initial: AdminWebhookDeliveries;
  initialProblem: string | null;
  mayRedeliver: boolean;
  run: Run;
  load: (input: { applicationId: string; cursor?: string | null }) => Promise<ActionResult<AdminWebhookDeliveries>>;
  redeliver: (input: { applicationId: string; deliveryId: string }) => Promise<ActionResult<AdminWebhookDeliveries>>;
}) {
  const [deliveries, setDeliveries] = useState(initial.deliveries);
  const [nextCursor, setNextCursor] = useState(initial.nextCursor);
  const [error, setError] = useState<string | null>(initialProblem);
  const [status, setStatus] = useState('');
  const [isBusy, setIsBusy] = useState(false);
  const isHydrated = useIsHydrated();

  async function refresh(action: () => Promise<ActionResult<AdminWebhookDeliveries>>, done: string, append: boolean) {
    setIsBusy(true);
    setError(null);
    setStatus('');
    try {
      const result = await action();
      if (!result.ok) {
        setError(result.message);
        return;
      }
      setDeliveries(append ? [...deliveries, ...result.value.deliveries] : result.value.deliveries);
      setNextCursor(result.value.nextCursor);
      setStatus(done);
    } finally {
      setIsBusy(false);
    }
  }

  return (
    <>
      <h3 id="deliveries-title">Delivery log</h3>
      <div className="actions">
        <button type="button" onClick={() => void refresh(() => load({ applicationId }), 'Delivery log reloaded.', false)} disabled={isBusy || !isHydrated}>
          Reload log
        </button>
      </div>
      <p id="deliveries-error" role="alert" className="error">
        {error}
      </p>
      <p role="status" className="status">
        {status}
      </p>
      {deliveries.length === 0 ? (
        <p>No deliveries yet.</p>
      ) : (
        <ul className="records" aria-labelledby="deliveries-title" data-testid="deliveries">
          {deliveries.map((delivery) => (
            <li key={delivery.id} className="record">
              <div className="record-head">
                <code>{delivery.type}</code>
                <span className={`tag ${delivery.status === 'delivered' ? 'tag-ok' : delivery.status === 'failed' ? 'tag-warn' : 'tag-muted'}`}>
                  {statusNames[delivery.status]}
                </span>
              </div>
              <p className="record-meta">
                {delivery.attemptCount} attempt{delivery.attemptCount === 1 ? '' : 's'} · made {formatTime(delivery.createdAt)}
                {delivery.deliveredAt !== null && <> · delivered {formatTime(delivery.deliveredAt)}</>}
                {delivery.nextAttemptAt !== null && delivery.status === 'pending' && <> · next try {formatTime(delivery.nextAttemptAt)}</>}
              </p>
              {delivery.attempts.length > 0 && (
                <details>
                  <summary>Attempts</summary>
                  <ol className="attempt-lines">
                    {delivery.attempts.map((attempt) => (
                      <li key={attempt.attempt}>{attemptLine(attempt)}</li>
                    ))}
                  </ol>
                </details>
              )}
              {mayRedeliver && delivery.status !== 'pending' && (
                <div className="actions">
                  <button
                    type="button"
                    onClick={() =>
                      void refresh(
                        () => run('redeliver a webhook event', () => redeliver({ applicationId, deliveryId: delivery.id })),
                        `Delivery of ${delivery.type} queued again.`,
                        false,
                      )
                    }
                    disabled={isBusy || !isHydrated}
                  >
                    Redeliver <span className="visually-hidden">{delivery.type}</span>
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {nextCursor !== null && (
        <button
          type="button"
          onClick={() => void refresh(() => load({ applicationId, cursor: nextCursor }), 'Older deliveries loaded.', true)}
          disabled={isBusy || !isHydrated}
        >
          Older deliveries
        </button>
      )}
    </>
  );
}
