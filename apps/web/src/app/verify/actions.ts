'use server';
// The hosted verification page's server actions. The transaction token (from the page URL) is the
// only credential; each action forwards to a gateway and, on success, redirects the browser to the
// application's callback with a one-time code (never the result: the application's server exchanges
// the code). The page is rendered per request under a nonce CSP (src/proxy.ts).
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import { transactionToken as token, typedRecoveryCode, typedTotpCode, webauthnChallengeId, type HostedOutcome } from '@holdfast/validators';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { callGateway, GatewayError, type GatewayClient } from '../../lib/gateway';
import { describeError, describeRejection } from '../../lib/messages';
import type { ActionResult } from '../enroll/types';

const totpInput = z.strictObject({ token, code: typedTotpCode });
const recoveryInput = z.strictObject({ token, code: typedRecoveryCode });
const beginInput = z.strictObject({ token });
// The assertion is checked field by field by the gateway; here only that it is an object.
const finishInput = z.strictObject({
  token,
  challengeId: webauthnChallengeId,
  response: z.custom<AuthenticationResponseJSON>((value) => typeof value === 'object' && value !== null),
});

function failure(code: string, message = describeError(code)): { ok: false; code: string; message: string } {
  return { ok: false, code, message };
}

async function call<T>(run: (client: GatewayClient, signal: AbortSignal) => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { ok: true, value: await callGateway({ bearer: null, isIdempotent: false, call: run }) };
  } catch (error) {
    if (error instanceof GatewayError) return failure(error.code);
    console.error('holdfast web: hosted verification failed', error);
    return failure('INTERNAL');
  }
}

/** Accepted: leave for the callback (redirect() throws, so it stays outside any try). Rejected: words. */
function finish(result: ActionResult<HostedOutcome>): ActionResult<never> {
  if (!result.ok) return result;
  if (result.value.outcome === 'accepted') redirect(result.value.redirectUrl);
  return failure(result.value.reason ?? 'rejected', describeRejection(result.value.reason));
}

export async function verifyTotpCode(input: z.input<typeof totpInput>): Promise<ActionResult<never>> {
  const parsed = totpInput.safeParse(input);
  if (!parsed.success) return failure('INVALID_CODE', 'Enter the 6-digit code your authenticator app shows.');
  return finish(await call((client, signal) => client.hosted.verifyTotp.mutate(parsed.data, { signal })));
}

export async function verifyRecoveryCode(input: z.input<typeof recoveryInput>): Promise<ActionResult<never>> {
  const parsed = recoveryInput.safeParse(input);
  if (!parsed.success) return failure('INVALID_CODE', 'Enter one of your recovery codes, for example ABCDE-FGHJK.');
  return finish(await call((client, signal) => client.hosted.verifyRecoveryCode.mutate(parsed.data, { signal })));
}

export async function beginPasskey(
  input: z.input<typeof beginInput>,
): Promise<ActionResult<{ challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }>> {
  const parsed = beginInput.safeParse(input);
  if (!parsed.success) return failure('BAD_REQUEST');
  const result = await call((client, signal) => client.hosted.webauthnBegin.mutate(parsed.data, { signal }));
  if (!result.ok) return result;
  return { ok: true, value: { challengeId: result.value.challengeId, options: result.value.options as PublicKeyCredentialRequestOptionsJSON } };
}

/** "Approve on your phone": a push to the user's devices; the page shows the number to type there. */
export async function beginPushApproval(
  input: z.input<typeof beginInput>,
): Promise<ActionResult<{ transactionId: string; number: string; expiresAt: string }>> {
  const parsed = beginInput.safeParse(input);
  if (!parsed.success) return failure('BAD_REQUEST');
  const result = await call((client, signal) => client.hosted.pushBegin.mutate(parsed.data, { signal }));
  if (!result.ok) return result;
  return {
    ok: true,
    value: { transactionId: result.value.transactionId, number: result.value.number, expiresAt: new Date(result.value.expiresAt).toISOString() },
  };
}

export async function finishPasskey(input: z.input<typeof finishInput>): Promise<ActionResult<never>> {
  const parsed = finishInput.safeParse(input);
  if (!parsed.success) return failure('BAD_REQUEST');
  const { response } = parsed.data;
  // A plain copy of the extension results: the DOM's interface type has no index signature.
  const request = { ...parsed.data, response: { ...response, clientExtensionResults: { ...response.clientExtensionResults } } };
  return finish(await call((client, signal) => client.hosted.webauthnFinish.mutate(request, { signal })));
}
