'use client';
// Pairing: read the one-time token from the fragment, show whom it pairs with, then — from ONE tap,
// so the browser counts it as a user gesture — ask for notifications, subscribe to Web Push, make a
// non-extractable P-256 key, register its public half with the gateway and keep the pairing.
import { pushPairingToken } from '@holdfast/validators';
import { useEffect, useRef, useState } from 'react';
import { generateDeviceKeyPair, type SubscriptionJson } from '../../lib/device-key';
import { savePairing } from '../../lib/device-store';
import { describePairingError } from '../../lib/messages';
import { subscribeForPush } from '../../lib/subscription';
import { inspectPairing, loadPushConfig, pairDevice } from '../actions';
import type { PairingPreview } from '../types';

/** How notifications ended up, for the words on the success screen. */
type NotificationOutcome = 'subscribed' | 'denied' | 'unsupported' | 'subscribe-failed';

type Screen =
  | { step: 'reading' }
  | { step: 'problem'; title: string; message: string }
  | { step: 'ready'; token: string; preview: PairingPreview }
  | { step: 'paired'; applicationName: string; userId: string; notifications: NotificationOutcome };

async function requestNotifications(): Promise<NotificationPermission | 'unsupported'> {
  if (!('Notification' in window) || !('serviceWorker' in navigator) || !('PushManager' in window)) return 'unsupported';
  return Notification.requestPermission();
}

async function trySubscribe(): Promise<SubscriptionJson | null> {
  try {
    const config = await loadPushConfig();
    if (!config.ok) return null;
    return await subscribeForPush(config.value.vapidPublicKey);
  } catch (error) {
    // Headless browsers and some privacy settings have no push service: pair anyway; the home
    // screen's signed list request still shows every request.
    console.warn('holdfast push: push subscription failed', error);
    return null;
  }
}

const notificationWords: Record<NotificationOutcome, string> = {
  subscribed: 'You will get a notification for each sign-in request.',
  denied:
    'Notifications are turned off for this app, so sign-in requests will not pop up. Open this app to see them, or allow notifications in your browser settings and pair again.',
  unsupported: 'This browser cannot show push notifications. Open this app to see your sign-in requests.',
  'subscribe-failed': 'Push notifications could not be set up on this browser. Your sign-in requests will show when you open this app.',
};

const invalidLinkTitle = 'This pairing link does not work';

/** An invalid link is the link's problem; an unreachable service is not (the link may still work later). */
function problemTitle(code: string): string {
  return code === 'PUSH_PAIRING_INVALID' || code === 'BAD_REQUEST' ? invalidLinkTitle : 'We could not check this pairing link';
}

export function PairScreen() {
  const [screen, setScreen] = useState<Screen>({ step: 'reading' });
  const [name, setName] = useState('This phone');
  const [isPairing, setIsPairing] = useState(false);
  const [error, setError] = useState('');
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    let isCurrent = true;
    const readLink = () => {
      setScreen({ step: 'reading' });
      const token = pushPairingToken.safeParse(window.location.hash.slice(1));
      if (!token.success) {
        setScreen({
          step: 'problem',
          title: invalidLinkTitle,
          message: 'This pairing link is not complete. Open the whole link from your account page, or scan its QR code again.',
        });
        return;
      }
      void inspectPairing({ pairingToken: token.data }).then((result) => {
        if (!isCurrent) return;
        setScreen(
          result.ok
            ? { step: 'ready', token: token.data, preview: result.value }
            : { step: 'problem', title: problemTitle(result.code), message: result.message },
        );
      });
    };
    readLink();
    // A pairing link opened in a window already showing /pair changes only the fragment: no new page load.
    window.addEventListener('hashchange', readLink);
    return () => {
      isCurrent = false;
      window.removeEventListener('hashchange', readLink);
    };
  }, []);

  useEffect(() => {
    if (screen.step === 'paired' || screen.step === 'problem') headingRef.current?.focus();
  }, [screen.step]);

  async function pair(token: string) {
    setIsPairing(true);
    setError('');
    try {
      // First, while the tap still counts as a user gesture: browsers ask only from one.
      const permission = await requestNotifications();
      const subscription = permission === 'granted' ? await trySubscribe() : null;
      const keys = await generateDeviceKeyPair();
      const deviceName = name.trim() === '' ? 'This phone' : name.trim();
      const result = await pairDevice({ pairingToken: token, publicKeyJwk: { ...keys.publicKeyJwk }, subscription, name: deviceName });
      if (!result.ok) {
        if (result.code === 'PUSH_PAIRING_INVALID') setScreen({ step: 'problem', title: invalidLinkTitle, message: result.message });
        else setError(result.message);
        return;
      }
      await savePairing({ ...result.value, deviceName, privateKey: keys.privateKey, publicKeyJwk: keys.publicKeyJwk, pairedAt: Date.now() });
      // The token is spent: keep it out of history.
      window.history.replaceState(null, '', '/pair');
      const notifications: NotificationOutcome =
        permission === 'unsupported' ? 'unsupported' : permission !== 'granted' ? 'denied' : subscription === null ? 'subscribe-failed' : 'subscribed';
      setScreen({ step: 'paired', applicationName: result.value.applicationName, userId: result.value.userId, notifications });
    } catch (failure) {
      console.error('holdfast push: pairing failed', failure);
      setError(describePairingError('INTERNAL'));
    } finally {
      setIsPairing(false);
    }
  }

  switch (screen.step) {
    case 'reading':
      return (
        <>
          <h1>Pair this device</h1>
          <p className="muted">Checking the pairing link…</p>
        </>
      );
    case 'problem':
      return (
        <>
          <h1 ref={headingRef} tabIndex={-1}>
            {screen.title}
          </h1>
          <p role="alert">{screen.message}</p>
          <p>
            <a href="/">See this device&apos;s pairings</a>
          </p>
        </>
      );
    case 'paired':
      return (
        <>
          <h1 ref={headingRef} tabIndex={-1}>
            Paired
          </h1>
          <p className="success">
            This device now approves sign-ins to {screen.applicationName} for {screen.userId}.
          </p>
          <p className={screen.notifications === 'subscribed' ? undefined : 'note'}>{notificationWords[screen.notifications]}</p>
          <p>
            <a href="/">See your sign-in requests</a>
          </p>
        </>
      );
    case 'ready': {
      const { preview, token } = screen;
      return (
        <>
          <h1>Pair this device</h1>
          <p>Use this device to approve sign-ins to your account.</p>
          <dl className="facts panel">
            <dt>Application</dt>
            <dd>{preview.applicationName}</dd>
            <dt>Account</dt>
            <dd>{preview.userId}</dd>
            <dt>Link expires</dt>
            <dd>{new Date(preview.expiresAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}</dd>
          </dl>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              void pair(token);
            }}
          >
            <div className="field">
              <label htmlFor="device-name">Device name</label>
              <input
                id="device-name"
                name="deviceName"
                value={name}
                maxLength={64}
                autoComplete="off"
                required
                onChange={(event) => {
                  setName(event.target.value);
                }}
              />
            </div>
            <p className="muted">Your browser will ask whether this app may show notifications: allow it to see sign-in requests as they happen.</p>
            <button type="submit" className="primary wide" disabled={isPairing}>
              Turn on notifications and pair
            </button>
            <p role="alert" className="error">
              {error}
            </p>
          </form>
        </>
      );
    }
  }
}
