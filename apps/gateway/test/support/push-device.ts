import { createDeviceKeyPair, pushAnswerSignedBytes, pushListRequestSignedBytes, pushSubscriptionSignedBytes, signDevicePayload } from '@holdfast/core';
import type { AppRouter } from '@holdfast/api';
import type { Database } from '@holdfast/db';
import { createEnrollmentClient, createHoldfastClient } from '@holdfast/sdk';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { generateKeyPairSync, randomBytes, randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto';
import { enrollTotpUser, freshCode } from './fixtures';

/**
 * A push-approval device made with node:crypto, as the PWA makes one with WebCrypto: an ECDSA
 * P-256 key pair whose public JWK is registered at pairing and whose private key signs every
 * request in IEEE P1363 (`r || s`), base64url — the same bytes `crypto.subtle.sign` gives.
 */

export type PushDecision = 'approve' | 'deny' | 'fraud';

/** `PushSubscription.toJSON()` minus expirationTime. */
export interface TestPushSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface PushDeviceKeys {
  publicJwk: JsonWebKey;
  privateKey: KeyObject;
}

/** The device procedures' bodies and the pairing answer, exactly as the router's schemas take and give them (schemas.ts). */
type DeviceInputs = inferRouterInputs<AppRouter>['push'];
export type DeviceAnswerBody = DeviceInputs['deviceAnswer'];
export type DevicePendingBody = DeviceInputs['devicePending'];
export type DeviceUpdateSubscriptionBody = DeviceInputs['deviceUpdateSubscription'];
type PairedDevice = inferRouterOutputs<AppRouter>['push']['pairDevice'];

/** What `push.pairDevice` answered (the device keeps it), plus the key pair. */
export interface TestPushDevice extends PushDeviceKeys, PairedDevice {
  /** A body for `push.deviceAnswer`, signed (deviceTime defaults to now). */
  signAnswer: (answer: { transactionId: string; typedNumber?: string; decision: PushDecision; deviceTime?: number }) => DeviceAnswerBody;
  /** A body for `push.devicePending`, signed. */
  signPendingRequest: (options?: { deviceTime?: number }) => DevicePendingBody;
  /** A body for `push.deviceUpdateSubscription`, signed. */
  signSubscriptionUpdate: (options: { subscription: TestPushSubscription; deviceTime?: number }) => DeviceUpdateSubscriptionBody;
}

/** core's device stand-in: the P-256 pair and the public JWK pairing stores (kty, crv, x, y). */
export function createPushDeviceKeys(): PushDeviceKeys {
  const { privateKey, publicJwk } = createDeviceKeyPair();
  return { privateKey, publicJwk: { ...publicJwk } };
}

export function signDeviceBytes(privateKey: KeyObject, bytes: Uint8Array): string {
  return Buffer.from(signDevicePayload({ privateKey, payload: bytes })).toString('base64url');
}

/** A syntactically valid subscription on `origin` (keys are random bytes of the right length). */
export function fakePushSubscription(origin = 'https://fcm.googleapis.com'): TestPushSubscription {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const point = publicKey.export({ format: 'der', type: 'spki' }).subarray(-65);
  return {
    endpoint: `${origin}/fcm/send/${Math.random().toString(36).slice(2)}`,
    keys: { p256dh: Buffer.from(point).toString('base64url'), auth: randomBytes(16).toString('base64url') },
  };
}

export interface TrpcAnswer {
  status: number;
  /** `result.data` on success. */
  data: unknown;
  /** `error.data.holdfastCode` on failure. */
  code: string | null;
  json: unknown;
}

function readAnswer(status: number, json: unknown): TrpcAnswer {
  const body = json as { result?: { data?: unknown }; error?: { data?: { holdfastCode?: string } } } | null;
  return { status, data: body?.result?.data ?? null, code: body?.error?.data?.holdfastCode ?? null, json };
}

/** A tRPC mutation over HTTP (the wire the PWA's server side uses). */
export async function trpcMutation(url: string, procedure: string, input: unknown, bearer?: string): Promise<TrpcAnswer> {
  const response = await fetch(`${url}/trpc/${procedure}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }) },
    body: JSON.stringify(input ?? {}),
  });
  return readAnswer(response.status, await response.json().catch(() => null));
}

/** A tRPC query over HTTP. */
export async function trpcQuery(url: string, procedure: string, input: unknown, bearer?: string): Promise<TrpcAnswer> {
  const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const response = await fetch(`${url}/trpc/${procedure}${query}`, { headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` } });
  return readAnswer(response.status, await response.json().catch(() => null));
}

/** `result.data` of a 200 answer (its shape is the caller's to name); throws with the body otherwise. */
function expectData(answer: TrpcAnswer, what: string): unknown {
  if (answer.status !== 200) throw new Error(`${what} failed: ${String(answer.status)} ${JSON.stringify(answer.json)}`);
  return answer.data;
}

/** `enrollment.createPushPairing` with an enrollment session token; the token is the link's fragment. */
export async function createPushPairing(options: {
  gatewayUrl: string;
  sessionToken: string;
}): Promise<{ pairingUrl: string; pairingToken: string; expiresAt: string }> {
  const data = expectData(
    await trpcMutation(options.gatewayUrl, 'enrollment.createPushPairing', undefined, options.sessionToken),
    'enrollment.createPushPairing',
  ) as { pairingUrl: string; expiresAt: string };
  const pairingToken = new URL(data.pairingUrl).hash.slice(1);
  return { ...data, pairingToken };
}

/** What `push.pairDevice` answers. */
export type PairedAnswer = Omit<TestPushDevice, keyof PushDeviceKeys | 'signAnswer' | 'signPendingRequest' | 'signSubscriptionUpdate'>;

/** Wraps what `push.pairDevice` answered with the signing helpers. */
export function toTestPushDevice(keys: PushDeviceKeys, paired: PairedAnswer): TestPushDevice {
  const { privateKey } = keys;
  return {
    ...keys,
    ...paired,
    signAnswer: ({ transactionId, typedNumber = '', decision, deviceTime = Date.now() }) => ({
      deviceId: paired.deviceId,
      transactionId,
      typedNumber,
      decision,
      deviceTime,
      signature: signDeviceBytes(
        privateKey,
        pushAnswerSignedBytes({ transactionId, typedNumber, decision, deviceTime: new Date(deviceTime), audience: paired.audience }),
      ),
    }),
    signPendingRequest: ({ deviceTime = Date.now() } = {}) => ({
      deviceId: paired.deviceId,
      deviceTime,
      signature: signDeviceBytes(
        privateKey,
        pushListRequestSignedBytes({ deviceId: paired.deviceId, deviceTime: new Date(deviceTime), audience: paired.audience }),
      ),
    }),
    signSubscriptionUpdate: ({ subscription, deviceTime = Date.now() }) => ({
      deviceId: paired.deviceId,
      subscription,
      deviceTime,
      signature: signDeviceBytes(
        privateKey,
        pushSubscriptionSignedBytes({
          deviceId: paired.deviceId,
          subscription: { endpoint: subscription.endpoint, p256dh: subscription.keys.p256dh, auth: subscription.keys.auth },
          deviceTime: new Date(deviceTime),
          audience: paired.audience,
        }),
      ),
    }),
  };
}

/** `push.pairDevice` over HTTP with a fresh key pair (or the one given); throws unless 200. */
export async function pairPushDevice(options: {
  gatewayUrl: string;
  pairingToken: string;
  subscription?: TestPushSubscription | null;
  name?: string;
  keys?: PushDeviceKeys;
}): Promise<TestPushDevice> {
  const keys = options.keys ?? createPushDeviceKeys();
  const paired = expectData(
    await trpcMutation(options.gatewayUrl, 'push.pairDevice', {
      pairingToken: options.pairingToken,
      publicKeyJwk: keys.publicJwk,
      subscription: options.subscription ?? null,
      name: options.name ?? 'Test phone',
    }),
    'push.pairDevice',
  ) as PairedAnswer;
  return toTestPushDevice(keys, paired);
}

/** An enrollment session for an existing user, stepped up with a fresh TOTP code: it may add factors. */
export async function openSteppedUpSession(options: {
  gatewayUrl: string;
  apiKey: string;
  userId: string;
  totp: { secret: string; lastStep: number };
}): Promise<{ sessionToken: string; step: number }> {
  const app = createHoldfastClient({ gateways: [options.gatewayUrl], apiKey: options.apiKey, probeIntervalMs: 0 });
  const link = await app.createEnrollmentLink({ userId: options.userId });
  const portal = createEnrollmentClient({ gateways: [options.gatewayUrl] });
  const { sessionToken } = await portal.redeem(link.token);
  const { code, step } = await freshCode(options.totp.secret, options.totp.lastStep);
  const stepped = await portal.stepUpTotp({ code });
  if (stepped.outcome !== 'accepted') throw new Error(`step-up refused: ${JSON.stringify(stepped)}`);
  return { sessionToken, step };
}

export interface PushUser {
  applicationId: string;
  apiKey: string;
  /** The relying application's user id. */
  userId: string;
  totpFactorId: string;
  totpSecret: string;
  /** The last TOTP step the user spent (for freshCode). */
  lastStep: number;
  device: TestPushDevice;
  /** An enrollment session that stepped up (valid for 5 minutes) — for pairing more devices. */
  sessionToken: string;
}

/**
 * A relying application with one user who has TOTP (so pairing needs a step-up, as in real life)
 * and one paired push device: link → TOTP → new link → step-up → createPushPairing →
 * push.pairDevice, all through the real gateway.
 */
export async function enrollPushUser(options: {
  db: Database;
  gatewayUrl: string;
  /** Where pairing happens (default: gatewayUrl). */
  pairGatewayUrl?: string;
  userId?: string;
  subscription?: TestPushSubscription | null;
  name?: string;
}): Promise<PushUser> {
  const user = await enrollTotpUser({
    db: options.db,
    gatewayUrl: options.gatewayUrl,
    ...(options.userId === undefined ? {} : { userId: options.userId }),
  });
  const session = await openSteppedUpSession({
    gatewayUrl: options.gatewayUrl,
    apiKey: user.apiKey,
    userId: user.userId,
    totp: { secret: user.secret, lastStep: user.confirmedStep },
  });
  const pairing = await createPushPairing({ gatewayUrl: options.gatewayUrl, sessionToken: session.sessionToken });
  const device = await pairPushDevice({
    gatewayUrl: options.pairGatewayUrl ?? options.gatewayUrl,
    pairingToken: pairing.pairingToken,
    subscription: options.subscription ?? null,
    ...(options.name === undefined ? {} : { name: options.name }),
  });
  return {
    applicationId: user.applicationId,
    apiKey: user.apiKey,
    userId: user.userId,
    totpFactorId: user.factorId,
    totpSecret: user.secret,
    lastStep: session.step,
    device,
    sessionToken: session.sessionToken,
  };
}

/** Another device for the same user (the session must still be within its 5-minute step-up). */
export async function pairAnotherDevice(options: {
  gatewayUrl: string;
  user: PushUser;
  subscription?: TestPushSubscription | null;
  name?: string;
}): Promise<TestPushDevice> {
  const pairing = await createPushPairing({ gatewayUrl: options.gatewayUrl, sessionToken: options.user.sessionToken });
  return pairPushDevice({
    gatewayUrl: options.gatewayUrl,
    pairingToken: pairing.pairingToken,
    subscription: options.subscription ?? null,
    ...(options.name === undefined ? {} : { name: options.name }),
  });
}

/** `push.deviceAnswer` over HTTP. */
export function sendDeviceAnswer(gatewayUrl: string, body: DeviceAnswerBody): Promise<TrpcAnswer> {
  return trpcMutation(gatewayUrl, 'push.deviceAnswer', body);
}

/** `push.devicePending` over HTTP (a query). */
export function listDevicePending(gatewayUrl: string, body: DevicePendingBody): Promise<TrpcAnswer> {
  return trpcQuery(gatewayUrl, 'push.devicePending', body);
}

/** `push.deviceUpdateSubscription` over HTTP. */
export function updateDeviceSubscription(gatewayUrl: string, body: DeviceUpdateSubscriptionBody): Promise<TrpcAnswer> {
  return trpcMutation(gatewayUrl, 'push.deviceUpdateSubscription', body);
}

export interface BegunPush {
  transactionId: string;
  number: string;
  expiresAt: string;
  status: string;
  deviceCount: number;
  replayed: boolean;
}

/** `verify.pushBegin` with the application's API key (a fresh attempt id unless given); throws unless 200. */
export async function beginPush(
  gatewayUrl: string,
  user: { apiKey: string; userId: string },
  options: { attemptId?: string; context?: Record<string, string> } = {},
): Promise<BegunPush> {
  return expectData(
    await trpcMutation(
      gatewayUrl,
      'verify.pushBegin',
      { userId: user.userId, attemptId: options.attemptId ?? randomUUID(), ...(options.context === undefined ? {} : { context: options.context }) },
      user.apiKey,
    ),
    'verify.pushBegin',
  ) as BegunPush;
}

/** `verify.pushStatus` by transaction id (no wait). */
export function pushStatus(gatewayUrl: string, user: { apiKey: string }, transactionId: string): Promise<TrpcAnswer> {
  return trpcQuery(gatewayUrl, 'verify.pushStatus', { transactionId }, user.apiKey);
}

/** A number of the right length that is not `number`. */
export function wrongPushNumber(number: string): string {
  const n = Number.parseInt(number, 10);
  const modulus = 10 ** number.length;
  const floor = 10 ** (number.length - 1);
  const wrong = ((n - floor + 1) % (modulus - floor)) + floor;
  return String(wrong);
}
