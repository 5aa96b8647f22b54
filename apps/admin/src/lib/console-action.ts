// How every console server action of a signed-in admin calls the gateways (the step-up dialog's,
// users/, applications/ and audit/ actions.ts): the admin token from the sealed cookie, and every
// failure turned into a typed code plus words from messages.ts. Not a 'use server' module: nothing
// here is callable from the browser.
import { z } from 'zod';
import type { ActionResult } from '../app/sign-in/types';
import { GatewayError } from './gateway';
import { describeConsoleError, type ConsoleTopic } from './messages';
import { readAdminCookie } from './session';

const detailedCodes = new Set(['BAD_REQUEST', 'INSECURE_URL', 'WEBHOOK_URL_INVALID']);

function refusal(code: string, topic: ConsoleTopic, retryAfterSeconds: number | null = null): { ok: false; code: string; message: string } {
  return { ok: false, code, message: describeConsoleError(code, { topic, retryAfterSeconds }) };
}

/**
 * Runs `run` with the signed-in admin's token. The gateway decides roles and step-up; a refusal
 * comes back as its code (ADMIN_STEP_UP_REQUIRED makes the page open the step-up dialog,
 * ADMIN_SESSION_INVALID sends it to sign-in). Errors are logged by code only: answers may carry
 * a secret shown once, and a thrown error's message never reaches the browser.
 */
export async function runConsoleAction<T>(topic: ConsoleTopic, run: (bearer: string) => Promise<T>): Promise<ActionResult<T>> {
  const content = await readAdminCookie();
  if (content?.stage !== 'session') return refusal('ADMIN_SESSION_INVALID', topic);
  try {
    return { ok: true, value: await run(content.token) };
  } catch (error) {
    if (error instanceof GatewayError) {
      const refused = refusal(error.code, topic, error.retryAfterSeconds);
      // A settings value the gateway's own rules refused (an origin not on the RP ID, an http
      // callback): its sentence names the value, which the admin just typed — nothing secret.
      return detailedCodes.has(error.code) && error.message !== '' ? { ...refused, message: `${refused.message} (${error.message})` } : refused;
    }
    // The console's own input check (validators schemas) refused before anything was sent.
    if (error instanceof z.ZodError) return refusal('BAD_REQUEST', topic);
    console.error(`holdfast admin: ${topic} action failed:`, error instanceof Error ? error.name : 'unknown error');
    return refusal('INTERNAL', topic);
  }
}
