// This browser's Web Push subscription (browser only). One per browser profile, shared by every
// pairing; all pairings of a deployment use the same VAPID key, so one subscription serves them all.
import { pushSubscription } from '@holdfast/validators';
import type { SubscriptionJson } from './device-key';

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/** The subscription as the gateway takes it, or null if the browser's is not one it accepts. */
export function subscriptionJson(subscription: PushSubscription): SubscriptionJson | null {
  const json = subscription.toJSON();
  const parsed = pushSubscription.safeParse({ endpoint: json.endpoint, keys: { p256dh: json.keys?.p256dh, auth: json.keys?.auth } });
  return parsed.success ? parsed.data : null;
}

function isSameKey(current: ArrayBuffer | null, wanted: Uint8Array): boolean {
  if (current === null) return false;
  const bytes = new Uint8Array(current);
  return bytes.length === wanted.length && bytes.every((byte, index) => byte === wanted[index]);
}

/** Settles within `ms`: `serviceWorker.ready` waits forever when no worker ever activates. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => {
        reject(new Error(`${what} took longer than ${ms} ms`));
      }, ms),
    ),
  ]);
}

/**
 * Subscribes (or reuses the subscription made with this VAPID key). A subscription is bound to the
 * key it was made with, so one made with another key is dropped first. Needs notification permission.
 */
export async function subscribeForPush(vapidPublicKey: string): Promise<SubscriptionJson> {
  const registration = await within(navigator.serviceWorker.ready, 10_000, 'the service worker');
  const applicationServerKey = fromBase64Url(vapidPublicKey);
  const existing = await registration.pushManager.getSubscription();
  if (existing !== null && isSameKey(existing.options.applicationServerKey, applicationServerKey)) {
    const json = subscriptionJson(existing);
    if (json !== null) return json;
  }
  if (existing !== null) await existing.unsubscribe();
  const created = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey });
  const json = subscriptionJson(created);
  if (json === null) throw new Error('the push service gave a subscription the gateway would not accept');
  return json;
}

/** The current subscription, if this browser has one (re-sent on every open: subscriptions churn). */
export async function currentSubscription(): Promise<SubscriptionJson | null> {
  if (!('serviceWorker' in navigator)) return null;
  const registration = await navigator.serviceWorker.getRegistration('/');
  const subscription = await registration?.pushManager.getSubscription();
  return subscription === undefined || subscription === null ? null : subscriptionJson(subscription);
}
