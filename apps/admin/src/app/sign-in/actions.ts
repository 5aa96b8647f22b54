'use server';
// The sign-in steps, each a server action: the password, then a second factor the gateways verify
// (or, at first sign-in, one enrolled). The gateway's pending token (`hfp_…`) and the admin session
// token (`hfa_…`) live only in the sealed httpOnly cookie; the browser sees neither. Inputs are
// validated here too: a server action is a public endpoint like any other.
import { adminEmail, typedTotpCode, type AdminFactorKind } from '@holdfast/validators';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/browser';
import { toString as renderQrCode } from 'qrcode';
import { z } from 'zod';
import * as adminApi from '../../lib/admin-api';
import { GatewayError } from '../../lib/gateway';
import { describeAdminError, type SignInStage } from '../../lib/messages';
import { clearAdminCookie, readPendingSignIn, startSession, writeAdminCookie } from '../../lib/session';
import type { PendingSignIn } from '../../lib/session-cookie';
import type { ActionResult, SignedIn, SignInNext } from './types';

function failure(code: string, stage: SignInStage, retryAfterSeconds: number | null = null): { ok: false; code: string; message: string } {
  return { ok: false, code, message: describeAdminError(code, { stage, retryAfterSeconds }) };
}

async function attempt<T>(stage: SignInStage, run: () => Promise<ActionResult<T>>): Promise<ActionResult<T>> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof GatewayError) {
      // A pending sign-in the gateway no longer knows (10 minutes, or used up): start over.
      if (error.code === 'ADMIN_SESSION_INVALID') await clearAdminCookie();
      return failure(error.code, stage, error.retryAfterSeconds);
    }
    console.error('holdfast admin: sign-in step failed', error);
    return failure('INTERNAL', stage);
  }
}

/** The pending sign-in from the cookie, or the refusal that sends the page back to the password. */
async function withPending<T>(stage: SignInStage, run: (pending: PendingSignIn) => Promise<ActionResult<T>>): Promise<ActionResult<T>> {
  const pending = await readPendingSignIn();
  if (pending === null) return failure('ADMIN_SESSION_INVALID', stage);
  return attempt(stage, () => run(pending));
}

const credentials = z.strictObject({ email: adminEmail, password: z.string().min(1).max(128) });

export async function submitPassword(input: { email: string; password: string }): Promise<ActionResult<SignInNext>> {
  const parsed = credentials.safeParse(input);
  if (!parsed.success) return failure('BAD_REQUEST', 'password');
  return attempt('password', async () => {
    try {
      const started = await adminApi.signIn(parsed.data);
      await writeAdminCookie({
        stage: 'pending',
        token: started.pendingToken,
        expiresAt: started.expiresAt,
        enrolledFactors: started.enrolledFactors,
        mustEnroll: started.mustEnroll,
      });
      return { ok: true, value: { enrolledFactors: started.enrolledFactors, mustEnroll: started.mustEnroll } };
    } catch (error) {
      // A password the gateway's schema refuses (too short for an admin password) is a failed
      // sign-in like any other: the same words, so the form tells nothing about the account.
      if (error instanceof GatewayError && error.code === 'BAD_REQUEST') return failure('ADMIN_SIGN_IN_FAILED', 'password');
      throw error;
    }
  });
}

const codeInput = z.strictObject({ code: typedTotpCode });

function invalidCode(stage: SignInStage): { ok: false; code: string; message: string } {
  return {
    ok: false,
    code: 'BAD_REQUEST',
    message: stage === 'enroll' ? describeAdminError('ADMIN_SIGN_IN_FAILED', { stage }) : 'Enter the 6-digit code your authenticator app shows.',
  };
}

export async function submitTotp(input: { code: string }): Promise<ActionResult<SignedIn>> {
  const parsed = codeInput.safeParse(input);
  if (!parsed.success) return invalidCode('factor');
  return withPending('factor', async (pending) => {
    await startSession(await adminApi.verifyTotp({ pendingToken: pending.token, code: parsed.data.code }), pending.enrolledFactors);
    return { ok: true, value: { signedIn: true } };
  });
}

export async function beginPasskeySignIn(): Promise<ActionResult<{ options: PublicKeyCredentialRequestOptionsJSON }>> {
  return withPending('factor', async (pending) => ({ ok: true, value: await adminApi.webauthnBegin({ pendingToken: pending.token }) }));
}

// The browser's response is checked field by field by the gateway; here only that it is an object.
const authenticationResponse = z.custom<AuthenticationResponseJSON>((value) => typeof value === 'object' && value !== null);
const registrationResponse = z.custom<RegistrationResponseJSON>((value) => typeof value === 'object' && value !== null);

export async function finishPasskeySignIn(input: { response: AuthenticationResponseJSON }): Promise<ActionResult<SignedIn>> {
  const parsed = z.strictObject({ response: authenticationResponse }).safeParse(input);
  if (!parsed.success) return failure('BAD_REQUEST', 'factor');
  return withPending('factor', async (pending) => {
    await startSession(await adminApi.webauthnFinish({ pendingToken: pending.token, response: parsed.data.response }), pending.enrolledFactors);
    return { ok: true, value: { signedIn: true } };
  });
}

/** First sign-in: a TOTP secret to add to an authenticator app; the QR code is drawn here, on the server. */
export async function beginTotpEnrollment(): Promise<ActionResult<{ secret: string; qrCodeSvg: string }>> {
  return withPending('enroll', async (pending) => {
    if (!pending.mustEnroll) return failure('BAD_REQUEST', 'enroll');
    const begun = await adminApi.enrollTotpBegin({ pendingToken: pending.token });
    const qrCodeSvg = await renderQrCode(begun.otpauthUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return { ok: true, value: { secret: begun.secretBase32, qrCodeSvg } };
  });
}

export async function confirmTotpEnrollment(input: { code: string }): Promise<ActionResult<SignedIn>> {
  const parsed = codeInput.safeParse(input);
  if (!parsed.success) return invalidCode('enroll');
  return withPending('enroll', async (pending) => {
    const signedIn = await adminApi.enrollTotpConfirm({ pendingToken: pending.token, code: parsed.data.code });
    await startSession(signedIn, [...pending.enrolledFactors, 'totp' satisfies AdminFactorKind]);
    return { ok: true, value: { signedIn: true } };
  });
}

export async function beginPasskeyEnrollment(): Promise<ActionResult<{ options: PublicKeyCredentialCreationOptionsJSON }>> {
  return withPending('enroll', async (pending) => {
    if (!pending.mustEnroll) return failure('BAD_REQUEST', 'enroll');
    return { ok: true, value: await adminApi.enrollWebauthnBegin({ pendingToken: pending.token }) };
  });
}

export async function finishPasskeyEnrollment(input: { response: RegistrationResponseJSON }): Promise<ActionResult<SignedIn>> {
  const parsed = z.strictObject({ response: registrationResponse }).safeParse(input);
  if (!parsed.success) return failure('BAD_REQUEST', 'enroll');
  return withPending('enroll', async (pending) => {
    const signedIn = await adminApi.enrollWebauthnFinish({ pendingToken: pending.token, response: parsed.data.response });
    await startSession(signedIn, [...pending.enrolledFactors, 'webauthn' satisfies AdminFactorKind]);
    return { ok: true, value: { signedIn: true } };
  });
}

/** "Start again": forget the pending sign-in (it also ends by itself after 10 minutes). */
export async function restartSignIn(): Promise<void> {
  await clearAdminCookie();
}
