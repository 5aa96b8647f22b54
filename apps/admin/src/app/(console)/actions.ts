'use server';
// What the console's client components may ask for once signed in: signing out and the step-up
// (a fresh second factor within 5 minutes, which the gateways require before sensitive actions).
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import { typedTotpCode } from '@holdfast/validators';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import * as adminApi from '../../lib/admin-api';
import { runConsoleAction } from '../../lib/console-action';
import { describeAdminError } from '../../lib/messages';
import { clearAdminCookie, readAdminCookie } from '../../lib/session';
import type { ActionResult } from '../sign-in/types';

/**
 * Sign out: the gateway ends the session (whatever it answers, the cookie goes), then the sign-in
 * page says so. A form action: it works without JavaScript too.
 */
export async function signOut(): Promise<void> {
  const content = await readAdminCookie();
  if (content?.stage === 'session') {
    await adminApi.signOut(content.token).catch((error: unknown) => {
      // The cookie still goes; the gateway's session then ends by itself (30 minutes idle).
      console.error('holdfast admin: sign-out at the gateway failed', error);
    });
  }
  await clearAdminCookie();
  redirect('/sign-in?reason=signed-out');
}

export async function stepUpWithTotp(input: { code: string }): Promise<ActionResult<{ stepUpUntil: string }>> {
  const parsed = z.strictObject({ code: typedTotpCode }).safeParse(input);
  if (!parsed.success) return { ok: false, code: 'BAD_REQUEST', message: 'Enter the 6-digit code your authenticator app shows.' };
  return runConsoleAction('step-up', (bearer) => adminApi.stepUpTotp(bearer, parsed.data));
}

export async function beginStepUpPasskey(): Promise<ActionResult<{ options: PublicKeyCredentialRequestOptionsJSON }>> {
  return runConsoleAction('step-up', (bearer) => adminApi.stepUpWebauthnBegin(bearer));
}

const authenticationResponse = z.custom<AuthenticationResponseJSON>((value) => typeof value === 'object' && value !== null);

export async function finishStepUpPasskey(input: { response: AuthenticationResponseJSON }): Promise<ActionResult<{ stepUpUntil: string }>> {
  const parsed = z.strictObject({ response: authenticationResponse }).safeParse(input);
  if (!parsed.success) return { ok: false, code: 'BAD_REQUEST', message: describeAdminError('BAD_REQUEST', { stage: 'step-up' }) };
  return runConsoleAction('step-up', (bearer) => adminApi.stepUpWebauthnFinish(bearer, parsed.data));
}
