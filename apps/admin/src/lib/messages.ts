// Every error the console can meet, in words an operator can act on. Codes come from the gateway
// (`error.data.holdfastCode`) or from the console itself (GATEWAY_UNAVAILABLE, BAD_REQUEST).

/** "in 3 minutes", "in 45 seconds": how long a lock still lasts. */
export function describeWait(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.ceil(seconds))} second${Math.ceil(seconds) === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

export type SignInStage = 'password' | 'factor' | 'enroll' | 'step-up';

/** A sentence for an error at a stage of signing in (or of a step-up). */
export function describeAdminError(code: string, options: { stage: SignInStage; retryAfterSeconds?: number | null }): string {
  switch (code) {
    case 'ADMIN_SIGN_IN_FAILED':
      // One message for unknown email, wrong password and disabled account (the gateway gives one
      // code for all of them): the page must not tell which accounts exist.
      if (options.stage === 'password') return 'The email or password is not right. Check both and try again.';
      if (options.stage === 'enroll') return "That code didn't match. Enter the 6-digit code your authenticator app shows now.";
      return 'That was not accepted. Enter the current code from your authenticator app, or use your passkey again.';
    case 'ADMIN_LOCKED': {
      const wait = options.retryAfterSeconds ?? null;
      return wait === null
        ? 'Too many failed sign-ins: this account is locked for a while. Try again later.'
        : `Too many failed sign-ins: this account is locked. Try again in ${describeWait(wait)}.`;
    }
    case 'ADMIN_SESSION_INVALID':
      return options.stage === 'step-up'
        ? 'Your session has ended. Sign in again.'
        : 'This sign-in took too long and has ended. Start again with your email and password.';
    case 'ADMIN_FORBIDDEN':
      return 'Your role does not allow this.';
    case 'ADMIN_STEP_UP_REQUIRED':
      return "Confirm it's you first: use your passkey or a code from your authenticator app.";
    case 'WEBAUTHN_CHALLENGE_INVALID':
      return 'That took too long or was already finished. Try your passkey again.';
    case 'WEBAUTHN_VERIFICATION_FAILED':
      return 'Your passkey could not be checked. Try again, or use another way to confirm.';
    case 'ALREADY_ENROLLED':
      return 'This passkey is already registered for your account.';
    case 'RATE_LIMITED':
      return 'Too many attempts from here. Wait a minute, then try again.';
    case 'BAD_REQUEST':
      return options.stage === 'password'
        ? 'Enter your email address and your password.'
        : 'Something in the form is not right. Check what you entered and try again.';
    case 'GATEWAY_UNAVAILABLE':
    case 'DATABASE_UNAVAILABLE':
    case 'GATEWAY_OVERLOADED':
      return 'The Holdfast gateways are not answering right now. Nothing was changed; try again in a minute.';
    default:
      return 'Something went wrong on our side. Nothing was changed; try again in a minute.';
  }
}

/** Words for what the browser's WebAuthn call threw (`error.name`, kept by @simplewebauthn/browser). */
export function describeWebauthnError(name: string, options: { isRegistration: boolean }): string {
  switch (name) {
    case 'NotAllowedError':
      return "The passkey request was cancelled or timed out. When you try again, follow your browser's prompt and touch or unlock your key.";
    case 'AbortError':
      return 'The passkey request was cancelled. Try again when you are ready.';
    case 'InvalidStateError':
      return options.isRegistration
        ? 'This passkey is already registered. Use another one.'
        : 'This passkey could not be used. Try again, or use a code instead.';
    case 'NotSupportedError':
      return 'This browser or key cannot make a passkey of the kind needed here. Try another browser or security key.';
    case 'SecurityError':
      return "The browser refused: this console's address is not the one its gateways allow for passkeys (HOLDFAST_ADMIN_ORIGIN).";
    case 'Unsupported':
      return 'This browser does not support passkeys. Use an up-to-date browser, or a code from an authenticator app.';
    default:
      return options.isRegistration ? 'Your passkey could not be added. Try again.' : 'Your passkey could not be used. Try again, or use a code instead.';
  }
}

/** Why the sign-in page was opened (`/sign-in?reason=…`), said once at the top. */
export function describeSignInReason(reason: string | undefined): string | null {
  switch (reason) {
    case 'expired':
      return 'Your session has ended (after 30 minutes without activity, 12 hours in all, or when it was signed out elsewhere). Sign in again.';
    case 'signed-out':
      return 'You are signed out.';
    default:
      return null;
  }
}

export const roleNames = { owner: 'Owner', admin: 'Admin', helpdesk: 'Helpdesk', auditor: 'Auditor' } as const;

/**
 * Where in the console an error happened: the Users or Applications page, the Audit page's "Verify
 * now", or the step-up dialog.
 */
export type ConsoleTopic = 'users' | 'applications' | 'audit' | 'step-up';

/** A sentence for a refusal of a console action (codes from the gateway or the console). */
export function describeConsoleError(code: string, options: { topic: ConsoleTopic; retryAfterSeconds?: number | null }): string {
  // The step-up dialog asks for a second factor again, and "Verify now" changes nothing: they speak
  // the sign-in's words (a code not accepted, a passkey that failed), not "nothing was changed".
  if (options.topic === 'step-up' || options.topic === 'audit') {
    return describeAdminError(code, { stage: 'step-up', retryAfterSeconds: options.retryAfterSeconds ?? null });
  }
  switch (code) {
    case 'ADMIN_FORBIDDEN':
      return 'Your role does not allow this. Nothing was changed; ask an owner or admin.';
    case 'ADMIN_STEP_UP_REQUIRED':
      return "Confirm it's you first: use your passkey or a code from your authenticator app, then try again.";
    case 'ADMIN_SESSION_INVALID':
      return 'Your session has ended. Sign in again.';
    case 'USER_NOT_FOUND':
      return 'This application has no user with that id. Check the id (it is case-sensitive).';
    case 'FACTOR_NOT_FOUND':
      return 'That factor no longer exists or was already revoked. The page shows the current factors.';
    case 'FACTOR_NOT_ACTIVE':
      return 'That factor is not active any more. The page shows its current state.';
    case 'NOT_FOUND':
      return options.topic === 'users' ? 'That application or user was not found.' : 'That application, key or delivery was not found.';
    case 'WEBHOOK_URL_INVALID':
    case 'INSECURE_URL':
      return 'That webhook address is not allowed: use an https:// URL (http:// only for localhost) that is not a private address.';
    case 'APPLICATION_NOT_FOUND':
      return 'That application does not exist (or is one the console does not manage).';
    case 'API_KEY_NOT_FOUND':
      return 'That API key is not one of this application’s keys.';
    case 'API_KEY_NOT_ACTIVE':
      return 'That API key was already rotated or revoked. The page shows its current state.';
    case 'WEBHOOK_NOT_CONFIGURED':
      return 'This application has no webhook. Set a webhook URL first.';
    case 'WEBHOOK_DELIVERY_NOT_FOUND':
      return 'That delivery is not in the log any more.';
    case 'RATE_LIMITED':
    case 'ADMIN_LOCKED': {
      const wait = options.retryAfterSeconds ?? null;
      return wait === null ? 'Too many requests from here. Wait a minute, then try again.' : `Too many requests. Try again in ${describeWait(wait)}.`;
    }
    case 'BAD_REQUEST':
      if (options.topic === 'applications')
        return 'Something in the form is not right: check the names, the URLs (one per line, with https://) and the numbers, then try again.';
      return describeAdminError(code, { stage: 'step-up' });
    default:
      // Gateways unreachable, a form refused, anything unforeseen: the same words as everywhere in the console.
      return describeAdminError(code, { stage: 'step-up' });
  }
}

/** Names an operator knows a factor kind by. */
export const factorKindNames = {
  totp: 'Authenticator app',
  recovery_codes: 'Recovery codes',
  webauthn: 'Passkey',
  push: 'Push device',
  bypass: 'Bypass code',
} as const;
