'use server';
// What the portal's client components may ask for. Each action reads the session from the
// httpOnly cookie and forwards to a gateway, so the browser never holds the gateway token. Inputs
// are validated here too: a server action is a public endpoint like any other.
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/browser';
import { cookies } from 'next/headers';
import { factorId, factorLabel as label, typedRecoveryCode, typedTotpCode as code, webauthnChallengeId } from '@holdfast/validators';
import { redirect } from 'next/navigation';
import { toString as renderQrCode } from 'qrcode';
import { z } from 'zod';
import { webEnv } from '../../env';
import { callGateway, GatewayError, type GatewayClient } from '../../lib/gateway';
import { describeError, describeRejection } from '../../lib/messages';
import { openSessionCookie, sessionCookieDeletion, sessionCookieName } from '../../lib/session-cookie';
import type { ActionResult, EnrollmentSession, OwnFactors, StepUpResult } from './types';

function failure(code: string): { ok: false; code: string; message: string } {
  return { ok: false, code, message: describeError(code) };
}

async function withSession<T>(options: { isIdempotent: boolean; call: (client: GatewayClient, signal: AbortSignal) => Promise<T> }): Promise<ActionResult<T>> {
  const cookieStore = await cookies();
  const token = await openSessionCookie({ value: cookieStore.get(sessionCookieName())?.value, secret: webEnv().HOLDFAST_WEB_SESSION_SECRET });
  if (token === null) return failure('ENROLLMENT_SESSION_INVALID');
  try {
    return { ok: true, value: await callGateway({ bearer: token, ...options }) };
  } catch (error) {
    if (error instanceof GatewayError) return failure(error.code);
    console.error('holdfast web: enrollment action failed', error);
    return failure('INTERNAL');
  }
}

const beginInput = z.strictObject({ label: label.optional() });
const confirmInput = z.strictObject({ factorId, code });
const renameInput = z.strictObject({ factorId, label });
// The response is checked field by field by the gateway; here only that it is an object.
const registrationResponse = z.custom<RegistrationResponseJSON>((value) => typeof value === 'object' && value !== null);
const finishWebauthnInput = z.strictObject({ challengeId: webauthnChallengeId, response: registrationResponse, label: label.optional() });
const removeInput = z.strictObject({ factorId, code: code.optional() });
const stepUpTotpInput = z.strictObject({ code, factorId: factorId.optional() });
const stepUpRecoveryInput = z.strictObject({ code: typedRecoveryCode });
// The assertion is checked field by field by the gateway; here only that it is an object.
const authenticationResponse = z.custom<AuthenticationResponseJSON>((value) => typeof value === 'object' && value !== null);
const finishStepUpInput = z.strictObject({ challengeId: webauthnChallengeId, response: authenticationResponse });

export async function beginTotp(input: z.input<typeof beginInput>): Promise<ActionResult<{ factorId: string; secret: string; qrCodeSvg: string }>> {
  const parsed = beginInput.safeParse(input);
  if (!parsed.success) return failure('BAD_REQUEST');
  const result = await withSession({
    isIdempotent: false,
    call: (client, signal) => client.totp.beginEnrollment.mutate(parsed.data.label === undefined ? {} : { label: parsed.data.label }, { signal }),
  });
  if (!result.ok) return result;
  // The QR code is drawn here, on the server, from the otpauth URI; only the picture and the key go to the page.
  const qrCodeSvg = await renderQrCode(result.value.otpauthUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { ok: true, value: { factorId: result.value.factorId, secret: result.value.secret, qrCodeSvg } };
}

/**
 * "Add this phone for push": a one-time pairing link (`<push app>/pair#<token>`, ≤ 10 minutes) and
 * its QR code, drawn here on the server as for TOTP. The gateway asks for a step-up first when the
 * user already has a factor (STEP_UP_REQUIRED), as for every other addition.
 */
export async function beginPushPairing(): Promise<ActionResult<{ pairingUrl: string; expiresAt: string; qrCodeSvg: string }>> {
  const result = await withSession({ isIdempotent: false, call: (client, signal) => client.enrollment.createPushPairing.mutate(undefined, { signal }) });
  if (!result.ok) return result;
  const qrCodeSvg = await renderQrCode(result.value.pairingUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { ok: true, value: { pairingUrl: result.value.pairingUrl, expiresAt: new Date(result.value.expiresAt).toISOString(), qrCodeSvg } };
}

export async function confirmTotp(input: z.input<typeof confirmInput>): Promise<ActionResult<{ factorId: string }>> {
  const parsed = confirmInput.safeParse(input);
  if (!parsed.success) return failure('INVALID_CODE');
  return withSession({ isIdempotent: false, call: (client, signal) => client.totp.confirmEnrollment.mutate(parsed.data, { signal }) });
}

export async function generateRecoveryCodes(): Promise<ActionResult<{ codes: string[] }>> {
  return withSession({ isIdempotent: false, call: (client, signal) => client.recoveryCodes.generate.mutate(undefined, { signal }) });
}

export async function listFactors(): Promise<ActionResult<OwnFactors>> {
  return withSession({ isIdempotent: true, call: (client, signal) => client.enrollment.factors.query(undefined, { signal }) });
}

export async function renameFactor(input: z.input<typeof renameInput>): Promise<ActionResult<{ factorId: string; label: string }>> {
  const parsed = renameInput.safeParse(input);
  if (!parsed.success) return failure('BAD_REQUEST');
  return withSession({ isIdempotent: true, call: (client, signal) => client.enrollment.renameFactor.mutate(parsed.data, { signal }) });
}

export async function removeFactor(input: z.input<typeof removeInput>): Promise<ActionResult<{ factorId: string }>> {
  const parsed = removeInput.safeParse(input);
  // The code is the only thing a person types here; anything else malformed is a bug, not their mistake.
  if (!parsed.success) return failure(parsed.error.issues.some((issue) => issue.path[0] === 'code') ? 'INVALID_CODE' : 'BAD_REQUEST');
  return withSession({ isIdempotent: false, call: (client, signal) => client.enrollment.removeFactor.mutate(parsed.data, { signal }) });
}

/** Options for the browser's `startRegistration`; the challenge stays with the gateway. */
export async function beginWebauthnRegistration(): Promise<ActionResult<{ challengeId: string; options: PublicKeyCredentialCreationOptionsJSON }>> {
  const result = await withSession({ isIdempotent: false, call: (client, signal) => client.webauthn.beginRegistration.mutate(undefined, { signal }) });
  if (!result.ok) return result;
  // tRPC's output inference mangles the Uint8Array types inside the options type; the JSON is the library's own.
  return { ok: true, value: { challengeId: result.value.challengeId, options: result.value.options as PublicKeyCredentialCreationOptionsJSON } };
}

export async function finishWebauthnRegistration(
  input: z.input<typeof finishWebauthnInput>,
): Promise<ActionResult<{ factorId: string; authenticatorName: string | null }>> {
  const parsed = finishWebauthnInput.safeParse(input);
  if (!parsed.success) return failure('BAD_REQUEST');
  const { response } = parsed.data;
  // A plain copy of the extension results: the DOM's interface type has no index signature.
  const request = { ...parsed.data, response: { ...response, clientExtensionResults: { ...response.clientExtensionResults } } };
  return withSession({ isIdempotent: false, call: (client, signal) => client.webauthn.finishRegistration.mutate(request, { signal }) });
}

/** Whether the portal must ask "Confirm it's you" before offering changes. */
export async function getSession(): Promise<ActionResult<EnrollmentSession>> {
  return withSession({ isIdempotent: true, call: (client, signal) => client.enrollment.session.query(undefined, { signal }) });
}

/** A rejected step-up is an expected outcome, told in words; the gateway's counting already happened. */
function stepUpOutcome(result: ActionResult<StepUpResult>): ActionResult<{ validUntil: string }> {
  if (!result.ok) return result;
  if (result.value.outcome === 'rejected') return { ok: false, code: result.value.reason ?? 'rejected', message: describeRejection(result.value.reason) };
  return { ok: true, value: { validUntil: new Date(result.value.validUntil).toISOString() } };
}

export async function stepUpWithTotp(input: z.input<typeof stepUpTotpInput>): Promise<ActionResult<{ validUntil: string }>> {
  const parsed = stepUpTotpInput.safeParse(input);
  if (!parsed.success) return failure('INVALID_CODE');
  return stepUpOutcome(await withSession({ isIdempotent: false, call: (client, signal) => client.enrollment.stepUpTotp.mutate(parsed.data, { signal }) }));
}

export async function stepUpWithRecoveryCode(input: z.input<typeof stepUpRecoveryInput>): Promise<ActionResult<{ validUntil: string }>> {
  const parsed = stepUpRecoveryInput.safeParse(input);
  if (!parsed.success) return { ok: false, code: 'INVALID_CODE', message: 'Enter one of your recovery codes, for example ABCDE-FGHJK.' };
  return stepUpOutcome(
    await withSession({ isIdempotent: false, call: (client, signal) => client.enrollment.stepUpRecoveryCode.mutate(parsed.data, { signal }) }),
  );
}

/** "Confirm it's you" with a paired phone: a push; the portal shows the number to type there. */
export async function beginStepUpPush(): Promise<ActionResult<{ transactionId: string; number: string; expiresAt: string }>> {
  const result = await withSession({ isIdempotent: false, call: (client, signal) => client.enrollment.stepUpPushBegin.mutate(undefined, { signal }) });
  if (!result.ok) return result;
  return {
    ok: true,
    value: { transactionId: result.value.transactionId, number: result.value.number, expiresAt: new Date(result.value.expiresAt).toISOString() },
  };
}

/** Options for the browser's `startAuthentication`; the challenge stays with the gateway. */
export async function beginStepUpWebauthn(): Promise<ActionResult<{ challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }>> {
  const result = await withSession({ isIdempotent: false, call: (client, signal) => client.enrollment.stepUpWebauthnBegin.mutate(undefined, { signal }) });
  if (!result.ok) return result;
  // As for registration: the JSON is the library's own, whatever tRPC's inference makes of it.
  return { ok: true, value: { challengeId: result.value.challengeId, options: result.value.options as PublicKeyCredentialRequestOptionsJSON } };
}

export async function finishStepUpWebauthn(input: z.input<typeof finishStepUpInput>): Promise<ActionResult<{ validUntil: string }>> {
  const parsed = finishStepUpInput.safeParse(input);
  if (!parsed.success) return failure('BAD_REQUEST');
  const { response } = parsed.data;
  // A plain copy of the extension results: the DOM's interface type has no index signature.
  const request = { ...parsed.data, response: { ...response, clientExtensionResults: { ...response.clientExtensionResults } } };
  return stepUpOutcome(
    await withSession({ isIdempotent: false, call: (client, signal) => client.enrollment.stepUpWebauthnFinish.mutate(request, { signal }) }),
  );
}

/**
 * Sign out: the gateway ends the session and its link (whatever it answers, the cookie goes), then
 * the browser lands on a page that says so. A form action: it works without JavaScript too.
 */
export async function signOut(): Promise<void> {
  await withSession({ isIdempotent: true, call: (client, signal) => client.enrollment.logout.mutate(undefined, { signal }) });
  (await cookies()).delete(sessionCookieDeletion());
  redirect('/enroll/signed-out');
}
