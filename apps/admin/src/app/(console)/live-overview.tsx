'use client';

import { clusterOverview, type ClusterOverview } from '@holdfast/validators';
import { useEffect, useRef, useState } from 'react';
import { formatTime } from '../../lib/format';
import { OverviewView } from './overview-view';

type Connection = 'connecting' | 'live' | 'polling';

/** No event for this long means the stream is stuck (the gateways send one at least every 5 s). */
const staleAfterMs = 8_000;
const pollEveryMs = 2_000;

const connectionText: Record<Connection, string> = {
  connecting: 'Connecting to the live stream…',
  live: 'Live: updates as the gateways report changes.',
  polling: 'The live stream is not available; refreshing every 2 seconds.',
};

function parseOverview(text: string): ClusterOverview | null {
  try {
    const parsed = clusterOverview.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Follows the map live: an EventSource on this console's own /overview/stream (the server proxies
 * the gateways' SSE with the admin bearer), and while that is down, a poll of /overview/snapshot
 * every 2 s — the view keeps moving either way, without a reload. A session the gateway no longer
 * knows sends the browser to /session-ended (which returns to sign-in with a message).
 */
export function LiveOverview({ initial, initialProblem, renderedAt }: { initial: ClusterOverview | null; initialProblem: string | null; renderedAt: number }) {
  const [overview, setOverview] = useState<ClusterOverview | null>(initial);
  const [connection, setConnection] = useState<Connection>('connecting');
  const [hasProblem, setHasProblem] = useState(initialProblem !== null);
  const lastEventAt = useRef(Date.now());
  // The server's clock for the first render (so hydration agrees), then this browser's, every second.
  const [now, setNow] = useState(renderedAt);

  useEffect(() => {
    let source: EventSource | null = null;
    let pollTimer: ReturnType<typeof setInterval> | null = null;
    let isClosed = false;

    async function pollOnce() {
      try {
        const response = await fetch('/overview/snapshot', { cache: 'no-store', headers: { accept: 'application/json' } });
        const body = (await response.json()) as { ok: boolean; code?: string; overview?: unknown };
        if (isClosed) return;
        if (response.status === 401 || body.code === 'ADMIN_SESSION_INVALID') {
          window.location.assign('/session-ended');
          return;
        }
        const parsed = body.ok ? clusterOverview.safeParse(body.overview) : null;
        if (parsed?.success === true) {
          setOverview(parsed.data);
          setHasProblem(false);
        } else {
          setHasProblem(true);
        }
      } catch {
        if (!isClosed) setHasProblem(true);
      }
    }

    function startPolling() {
      if (pollTimer !== null) return;
      setConnection('polling');
      void pollOnce();
      pollTimer = setInterval(() => void pollOnce(), pollEveryMs);
    }

    function stopPolling() {
      if (pollTimer !== null) clearInterval(pollTimer);
      pollTimer = null;
    }

    function openStream() {
      source?.close();
      source = new EventSource('/overview/stream');
      source.addEventListener('overview', (event: MessageEvent<string>) => {
        const next = parseOverview(event.data);
        if (next === null) return;
        lastEventAt.current = Date.now();
        stopPolling();
        setConnection('live');
        setHasProblem(false);
        setOverview(next);
      });
      // EventSource reconnects by itself (after the `retry` the proxy sends); meanwhile, poll.
      source.addEventListener('error', () => {
        startPolling();
      });
    }

    openStream();
    // A stream that stays open but says nothing is as good as down: reopen it, and poll meanwhile.
    const watchdog = setInterval(() => {
      setNow(Date.now());
      if (Date.now() - lastEventAt.current > staleAfterMs) {
        lastEventAt.current = Date.now();
        startPolling();
        openStream();
      }
    }, 1_000);

    return () => {
      isClosed = true;
      source?.close();
      stopPolling();
      clearInterval(watchdog);
    };
  }, []);

  return (
    <>
      <p className="live-line">
        <span className={`live-dot ${connection}`} aria-hidden="true" />
        <span role="status" data-testid="overview-connection">
          {connectionText[connection]}
        </span>
      </p>
      {hasProblem && (
        <p className="warning" role="alert">
          {overview === null
            ? 'No gateway answered with the map yet. It will appear as soon as one does.'
            : `The gateways are not answering; this is the last map received (${formatTime(overview.generatedAt)}).`}
        </p>
      )}
      {overview !== null && <OverviewView overview={overview} now={now} />}
    </>
  );
}
