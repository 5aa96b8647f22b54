'use server';
// The PWA's server actions: the browser signs with its device key, these forward the signed request
// to a gateway (src/lib/gateway.ts) and hand back plain results. They hold no key and decide
// nothing: the gateway verifies every signature against the key stored at pairing.
import {
  deviceName,
  devicePublicJwk,
  deviceSignature,
  deviceTime,
  pushDecision,
  pushNumberInput,
  pushPairingToken,
  pushSubscription,
} from '@holdfast/validators';
import { z } from 'zod';
import { askGateways, GatewayRefusal, type FailoverPolicy } from '../lib/gateway';
import { describePairingError, describeRequestError } from '../lib/messages';
import type { ActionResult, AnswerOutcome, PairedDevice, PairingPreview, PendingRequest } from './types';

/** Device and transaction ids are the gateway's UUIDs. */
const opaqueId = z.uuid();

const inspectInput = z.strictObject({ pairingToken: pushPairingToken });
const pairInput = z.strictObject({
  pairingToken: pushPairingToken,
  publicKeyJwk: devicePublicJwk,
  subscription: pushSubscription.nullable(),
  name: deviceName,
});
const listInput = z.strictObject({ deviceId: opaqueId, deviceTime, signature: deviceSignature });
const answerInput = z.strictObject({
  deviceId: opaqueId,
  transactionId: opaqueId,
  typedNumber: pushNumberInput,
  decision: pushDecision,
  deviceTime,
  signature: deviceSignature,
});
const subscriptionInput = z.strictObject({ deviceId: opaqueId, subscription: pushSubscription, deviceTime, signature: deviceSignature });

function iso(value: string | Date): string {
  return new Date(value).toISOString();
}

async function forward<T>(policy: FailoverPolicy, describe: (code: string) => string, run: Parameters<typeof askGateways<T>>[1]): Promise<ActionResult<T>> {
  try {
    return { ok: true, value: await askGateways(policy, run) };
  } catch (error) {
    const code = error instanceof GatewayRefusal ? error.code : 'INTERNAL';
    if (!(error instanceof GatewayRefusal)) console.error('holdfast push: action failed', error);
    return { ok: false, code, message: describe(code) };
  }
}

function badRequest(describe: (code: string) => string): { ok: false; code: string; message: string } {
  return { ok: false, code: 'BAD_REQUEST', message: describe('BAD_REQUEST') };
}

/** The deployment's VAPID public key, for `pushManager.subscribe`. */
export async function loadPushConfig(): Promise<ActionResult<{ vapidPublicKey: string }>> {
  return forward('any-failure', describePairingError, (gateway, signal) => gateway.push.config.query(undefined, { signal }));
}

/** Who a pairing link is for — it redeems nothing, so it may be shown before the person agrees. */
export async function inspectPairing(input: z.input<typeof inspectInput>): Promise<ActionResult<PairingPreview>> {
  const parsed = inspectInput.safeParse(input);
  if (!parsed.success) return { ok: false, code: 'PUSH_PAIRING_INVALID', message: describePairingError('PUSH_PAIRING_INVALID') };
  const result = await forward('any-failure', describePairingError, (gateway, signal) => gateway.push.inspectPairing.query(parsed.data, { signal }));
  if (!result.ok) return result;
  return { ok: true, value: { applicationName: result.value.applicationName, userId: result.value.userId, expiresAt: iso(result.value.expiresAt) } };
}

/** Redeems the one-time token: moves to another gateway only if the first surely never got it. */
export async function pairDevice(input: z.input<typeof pairInput>): Promise<ActionResult<PairedDevice>> {
  const parsed = pairInput.safeParse(input);
  if (!parsed.success) return badRequest(describePairingError);
  const result = await forward('refused-only', describePairingError, (gateway, signal) => gateway.push.pairDevice.mutate(parsed.data, { signal }));
  if (!result.ok) return result;
  const { deviceId, applicationId, applicationName, userId, audience } = result.value;
  return { ok: true, value: { deviceId, applicationId, applicationName, userId, audience } };
}

/** A device's pending sign-in requests (signed list request): approval without push delivery. */
export async function listPending(input: z.input<typeof listInput>): Promise<ActionResult<PendingRequest[]>> {
  const parsed = listInput.safeParse(input);
  if (!parsed.success) return badRequest(describeRequestError);
  const result = await forward('any-failure', describeRequestError, (gateway, signal) => gateway.push.devicePending.query(parsed.data, { signal }));
  if (!result.ok) return result;
  return {
    ok: true,
    value: result.value.transactions.map((transaction) => ({
      transactionId: transaction.transactionId,
      applicationName: transaction.applicationName,
      context: { ...transaction.context },
      createdAt: iso(transaction.createdAt),
      expiresAt: iso(transaction.expiresAt),
    })),
  };
}

/** A signed answer. Re-sending it is harmless (the gateway's compare-and-set counts it once), so any gateway may take it. */
export async function answerRequest(input: z.input<typeof answerInput>): Promise<ActionResult<AnswerOutcome>> {
  const parsed = answerInput.safeParse(input);
  if (!parsed.success) return badRequest(describeRequestError);
  const result = await forward('any-failure', describeRequestError, (gateway, signal) => gateway.push.deviceAnswer.mutate(parsed.data, { signal }));
  if (!result.ok) return result;
  return { ok: true, value: { status: result.value.status, reason: result.value.reason } };
}

/** The browser's current push subscription for one paired device (signed; subscriptions churn). */
export async function updateSubscription(input: z.input<typeof subscriptionInput>): Promise<ActionResult<{ ok: true }>> {
  const parsed = subscriptionInput.safeParse(input);
  if (!parsed.success) return badRequest(describeRequestError);
  return forward('any-failure', describeRequestError, async (gateway, signal) => {
    await gateway.push.deviceUpdateSubscription.mutate(parsed.data, { signal });
    return { ok: true as const };
  });
}
