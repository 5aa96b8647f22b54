'use client';
// Home: the pairings kept on this browser and, for each, the sign-in requests waiting for an answer
// (a signed list request, refreshed on open, on return to the app and by button) — so approval
// works even when no push arrives. Each open also re-sends this browser's push subscription.
import { useCallback, useEffect, useState } from 'react';
import { signSubscriptionUpdate } from '../lib/device-key';
import { listPairings, type Pairing } from '../lib/device-store';
import { fetchPendingForAll, type DevicePending } from '../lib/pending';
import { currentSubscription } from '../lib/subscription';
import { updateSubscription } from './actions';

type Loaded = { state: 'loading' } | { state: 'unavailable'; message: string } | { state: 'ready'; pairings: Pairing[]; pending: DevicePending[] | null };

async function resendSubscription(pairings: readonly Pairing[]): Promise<void> {
  const subscription = await currentSubscription();
  if (subscription === null) return;
  await Promise.all(
    pairings.map(async (pairing) => {
      const result = await updateSubscription(await signSubscriptionUpdate(pairing, subscription));
      if (!result.ok) console.warn(`holdfast push: subscription not updated for ${pairing.applicationName}: ${result.code}`);
    }),
  );
}

export function HomeScreen() {
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  const [isChecking, setIsChecking] = useState(false);
  const [checkedAt, setCheckedAt] = useState<string | null>(null);

  const check = useCallback(async () => {
    setIsChecking(true);
    try {
      const pairings = await listPairings();
      setLoaded({ state: 'ready', pairings, pending: null });
      if (pairings.length === 0) return;
      const pending = await fetchPendingForAll(pairings);
      setLoaded({ state: 'ready', pairings, pending });
      setCheckedAt(new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' }));
    } catch (error) {
      console.error('holdfast push: could not read pairings', error);
      setLoaded({ state: 'unavailable', message: 'This browser did not let the app read its pairings (private browsing can do that).' });
    } finally {
      setIsChecking(false);
    }
  }, []);

  useEffect(() => {
    void check();
    void listPairings()
      .then(resendSubscription)
      .catch((error: unknown) => {
        console.warn('holdfast push: could not re-send the push subscription', error);
      });
    const onVisible = () => {
      if (document.visibilityState === 'visible') void check();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [check]);

  const requests =
    loaded.state === 'ready' && loaded.pending !== null
      ? loaded.pending.flatMap((entry) => (entry.ok ? entry.requests.map((request) => ({ request, pairing: entry.pairing })) : []))
      : [];
  const failures =
    loaded.state === 'ready' && loaded.pending !== null
      ? loaded.pending.flatMap((entry) => (entry.ok ? [] : [{ pairing: entry.pairing, message: entry.message }]))
      : [];

  return (
    <>
      <h1>Sign-in requests</h1>
      {loaded.state === 'loading' ? <p className="muted">Loading…</p> : null}
      {loaded.state === 'unavailable' ? (
        <p role="alert" className="error">
          {loaded.message}
        </p>
      ) : null}
      {loaded.state === 'ready' && loaded.pairings.length === 0 ? (
        <section className="panel" aria-labelledby="not-paired">
          <h2 id="not-paired">No sign-in requests</h2>
          <p>This device is not paired yet — open the pairing link from your account page.</p>
        </section>
      ) : null}
      {loaded.state === 'ready' && loaded.pairings.length > 0 ? (
        <>
          <section aria-labelledby="requests-heading" className="panel">
            <h2 id="requests-heading">Waiting for you</h2>
            {loaded.pending === null ? <p className="muted">Checking for requests…</p> : null}
            {loaded.pending !== null && requests.length === 0 && failures.length === 0 ? <p>No sign-in requests</p> : null}
            {requests.length > 0 ? (
              <ul className="plain-list">
                {requests.map(({ request, pairing }) => (
                  <li key={request.transactionId}>
                    <a className="request-link" href={`/approve?tx=${encodeURIComponent(request.transactionId)}`}>
                      Review sign-in to {request.applicationName}
                      <span className="muted"> for {pairing.userId}</span>
                    </a>
                  </li>
                ))}
              </ul>
            ) : null}
            {failures.map((entry) => (
              <p key={entry.pairing.deviceId} role="alert" className="error">
                {entry.pairing.applicationName}: {entry.message}
              </p>
            ))}
            <div className="actions">
              <button type="button" className="primary" onClick={() => void check()} disabled={isChecking}>
                Check for requests
              </button>
            </div>
            <p className="muted" role="status">
              {isChecking ? 'Checking…' : checkedAt === null ? '' : `Last checked at ${checkedAt}.`}
            </p>
          </section>
          <section aria-labelledby="pairings-heading" className="panel">
            <h2 id="pairings-heading">Paired on this device</h2>
            <ul className="plain-list">
              {loaded.pairings.map((pairing) => (
                <li key={pairing.deviceId}>
                  <dl className="facts">
                    <dt>Application</dt>
                    <dd>{pairing.applicationName}</dd>
                    <dt>Account</dt>
                    <dd>{pairing.userId}</dd>
                    <dt>Device name</dt>
                    <dd>{pairing.deviceName}</dd>
                  </dl>
                </li>
              ))}
            </ul>
          </section>
        </>
      ) : null}
    </>
  );
}
