import {
  deviceAnswerInput,
  deviceAnswerOutput,
  devicePendingInput,
  devicePendingOutput,
  deviceUpdateSubscriptionInput,
  deviceUpdateSubscriptionOutput,
  inspectPushPairingOutput,
  pairPushDeviceInput,
  pairPushDeviceOutput,
  pushConfigOutput,
  pushPairingInput,
} from '../schemas';
import { answerPush } from '../services/push/answer-push';
import { inspectPushPairing } from '../services/push/inspect-push-pairing';
import { listDevicePending } from '../services/push/list-device-pending';
import { pairPushDevice } from '../services/push/pair-push-device';
import { updatePushSubscription } from '../services/push/update-push-subscription';
import { getVapidKeys } from '../services/push/vapid-keys';
import { publicProcedure, router } from '../trpc';

/**
 * The push-approval device (the PWA): pairing, its pending requests, its signed answers. Public
 * procedures: a device proves itself by a signature over each request, never by a bearer token.
 */
export const pushRouter = router({
  /** The deployment's VAPID public key (`applicationServerKey` for `PushManager.subscribe`), made on first use. */
  config: publicProcedure.output(pushConfigOutput).query(async ({ ctx }) => ({ vapidPublicKey: (await getVapidKeys(ctx.deps)).publicKey })),
  /** What a pairing link would pair with; redeems nothing. */
  inspectPairing: publicProcedure
    .input(pushPairingInput)
    .output(inspectPushPairingOutput)
    .query(({ ctx, input, signal }) => inspectPushPairing({ deps: ctx.deps, pairingToken: input.pairingToken, signal })),
  /** Redeems the pairing token once: the device's public key and subscription become a `push` factor. */
  pairDevice: publicProcedure
    .input(pairPushDeviceInput)
    .output(pairPushDeviceOutput)
    .mutation(({ ctx, input, signal }) =>
      pairPushDevice({
        deps: ctx.deps,
        pairingToken: input.pairingToken,
        publicKeyJwk: input.publicKeyJwk,
        subscription: input.subscription,
        name: input.name,
        signal,
      }),
    ),
  /** The user's pending transactions (signed list request): approval works with push delivery down. */
  devicePending: publicProcedure
    .input(devicePendingInput)
    .output(devicePendingOutput)
    .query(({ ctx, input, signal }) => listDevicePending({ deps: ctx.deps, ...input, signal })),
  /** A signed approve / deny / fraud answer: one compare-and-set, audited in the same transaction. */
  deviceAnswer: publicProcedure
    .input(deviceAnswerInput)
    .output(deviceAnswerOutput)
    .mutation(({ ctx, input, signal }) => answerPush({ deps: ctx.deps, ...input, signal })),
  /** A re-subscribed device's new subscription (signed): re-encrypted, `subscription_gone_at` cleared. */
  deviceUpdateSubscription: publicProcedure
    .input(deviceUpdateSubscriptionInput)
    .output(deviceUpdateSubscriptionOutput)
    .mutation(({ ctx, input, signal }) => updatePushSubscription({ deps: ctx.deps, ...input, signal })),
});
