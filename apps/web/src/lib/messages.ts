// Every error the portal can meet, in words a person can act on. Codes come from the gateway
// (`error.data.holdfastCode`) or from the web app itself (GATEWAY_UNAVAILABLE).
import type { VerifyRejectReason } from '@holdfast/validators';

export type LinkProblem = 'expired' | 'used' | 'superseded' | 'invalid' | 'unavailable';

/** Which message page a failed link redemption leads to. */
export function linkProblemFor(code: string): LinkProblem {
  switch (code) {
    case 'ENROLLMENT_LINK_EXPIRED':
      return 'expired';
    case 'ENROLLMENT_LINK_USED':
      return 'used';
    case 'ENROLLMENT_LINK_SUPERSEDED':
      return 'superseded';
    case 'ENROLLMENT_LINK_INVALID':
    case 'BAD_REQUEST':
      return 'invalid';
    default:
      return 'unavailable';
  }
}

export const linkProblemText: Record<LinkProblem, { title: string; body: string }> = {
  expired: {
    title: 'This enrollment link has expired',
    body: 'Enrollment links only work for a limited time. Ask the app or website that sent it to you for a new one.',
  },
  used: {
    title: 'This enrollment link has already been used',
    body: 'Each enrollment link works once, so nobody else can reuse it. If that was not you, tell the app or website that sent it, and ask it for a new link.',
  },
  superseded: {
    title: 'A newer enrollment link was sent',
    body: 'Only the newest enrollment link works: each new link ends the older ones. Open the most recent link you received, or ask the app or website for a new one.',
  },
  invalid: {
    title: 'This enrollment link is not valid',
    body: 'Check that you copied the whole link. If it still does not work, ask the app or website that sent it to you for a new one.',
  },
  unavailable: {
    title: 'We could not check your enrollment link',
    body: 'The sign-in service did not answer. Wait a minute and open the link again. If it then says the link was already used, ask the app or website that sent it to you for a new one.',
  },
};

/** A sentence for an error during enrollment (the portal shows it in an alert next to the form). */
export function describeError(code: string): string {
  switch (code) {
    case 'INVALID_CODE':
      return "That code didn't match. Enter the 6-digit code your authenticator app shows now; if it keeps failing, check that your phone's clock is set automatically.";
    case 'STEP_UP_REQUIRED':
      return "For your security, confirm it's you first: use one of your current sign-in methods, then try again. The confirmation lasts 5 minutes.";
    case 'FACTOR_LIMIT_REACHED':
      return 'You have the most sign-in methods allowed. Remove one you no longer use, then add the new one.';
    case 'ENROLLMENT_LINK_SUPERSEDED':
      return 'A newer enrollment link was sent, which ended this one. Open the most recent link you received.';
    case 'FRESH_VERIFICATION_REQUIRED':
      return 'This is your last way to sign in. Enter a current code from it to confirm that you want to remove it.';
    case 'ALREADY_ENROLLED':
      return 'This authenticator app is already set up. Refresh the page to see your factors.';
    case 'WEBAUTHN_CHALLENGE_INVALID':
      return 'That took too long or was already finished. Start adding your security key or passkey again.';
    case 'WEBAUTHN_VERIFICATION_FAILED':
      return 'Your security key or passkey could not be checked. Try again, or use another key; if this page asks you to unlock it (PIN, fingerprint or face), do so.';
    case 'FACTOR_NOT_FOUND':
    case 'FACTOR_NOT_ACTIVE':
      return 'That factor no longer exists. Refresh the page to see your current factors.';
    case 'ENROLLMENT_SESSION_INVALID':
    case 'UNAUTHENTICATED':
      return 'Your enrollment session has ended. Open a new enrollment link from the app that sent you here.';
    case 'RATE_LIMITED':
      return 'Too many attempts. Wait a few minutes, then try again.';
    case 'PUSH_PENDING':
      return 'A request is already waiting on your phone. Answer it there, or wait a minute for it to run out, then send a new one.';
    case 'PUSH_LIMIT_REACHED':
      return 'Too many requests were sent to your phone in a short time. Wait a few minutes, or use another way to verify.';
    case 'PUSH_SUSPENDED':
      return 'Approval on your phone is paused for your account because a request was reported as fraud. Use another way to verify, or try again later.';
    case 'PUSH_PAIRING_INVALID':
      return 'This pairing link has expired or was already used. Start adding your phone again.';
    case 'PUSH_TRANSACTION_NOT_FOUND':
      return 'That request to your phone is no longer known. Send a new one.';
    case 'FACTOR_KIND_NOT_ALLOWED':
      return 'This sign-in does not accept that way to verify. Use another one.';
    case 'TRANSACTION_ATTEMPTS_EXCEEDED':
      return 'Too many tries on this page. Go back to the app or website you were signing in to and start again.';
    case 'TRANSACTION_COMPLETED':
    case 'TRANSACTION_EXPIRED':
    case 'TRANSACTION_INVALID':
      return describeTransactionProblem(code).body;
    case 'BAD_REQUEST':
      return 'Something in the form is not right. Check what you entered and try again.';
    case 'GATEWAY_UNAVAILABLE':
    case 'DATABASE_UNAVAILABLE':
      return 'The sign-in service is not answering right now. Nothing was changed; try again in a minute.';
    default:
      return 'Something went wrong on our side. Nothing was changed; try again in a minute.';
  }
}

/**
 * A sentence for what the browser's WebAuthn call threw (`error.name`: a DOMException name, which
 * @simplewebauthn/browser keeps on its WebAuthnError).
 */
export function describeWebauthnError(name: string): string {
  switch (name) {
    case 'NotAllowedError':
      return "The security key or passkey request was cancelled or timed out. When you try again, follow your browser's prompt and touch or unlock your key.";
    case 'AbortError':
      return 'The security key or passkey request was cancelled. Try again when you are ready.';
    case 'InvalidStateError':
      return 'This security key or passkey is already registered. Use another one, or keep the one you have.';
    case 'NotSupportedError':
      return 'This browser or key cannot create a passkey of the kind needed here. Try another browser or security key.';
    case 'SecurityError':
      return "Your browser refused the request because this page's address is not allowed to use security keys. Tell the app or website that sent you here.";
    case 'Unsupported':
      return 'This browser does not support security keys or passkeys. Try an up-to-date browser.';
    default:
      return 'Your security key or passkey could not be added. Try again, or use another key.';
  }
}

/** The hosted verification page: why a transaction cannot be used (title + what to do). */
export function describeTransactionProblem(code: string): { title: string; body: string } {
  switch (code) {
    case 'TRANSACTION_EXPIRED':
      return {
        title: 'This verification has expired',
        body: 'Verification pages work for 10 minutes. Go back to the app or website you were signing in to and start again.',
      };
    case 'TRANSACTION_COMPLETED':
      return {
        title: 'This verification is already finished',
        body: 'You have already verified on this page. Go back to the app or website you were signing in to.',
      };
    case 'TRANSACTION_INVALID':
    case 'BAD_REQUEST':
      return {
        title: 'This verification link is not valid',
        body: 'Check that you copied the whole link, or go back to the app or website you were signing in to and start again.',
      };
    default:
      return { title: 'We could not load this verification', body: describeError(code) };
  }
}

/** The hosted verification page: why a code or key was not accepted (every reason has its words). */
export function describeRejection(reason: VerifyRejectReason | null): string {
  switch (reason) {
    case 'invalid_code':
      return "That code didn't match. Check it and try again; an authenticator app shows a new code every 30 seconds, and each recovery code works once.";
    case 'replay':
      return 'That code was already used. Wait for your authenticator app to show a new code, then enter it.';
    case 'locked':
      return 'Too many wrong codes: this sign-in method is locked for a while. Try another one, or wait 15 minutes.';
    case 'account_locked':
      return 'Too many wrong codes: every sign-in method of this account is locked. Contact the app or website you were signing in to.';
    case 'verification_failed':
      return 'Your security key or passkey could not be checked. Try again, or use another way to verify.';
    case 'clone_suspected':
      return 'This security key could not be trusted (it may have been copied). Use another way to verify, and tell the app or website you use.';
    case 'factor_not_active':
      return 'That sign-in method is not active. Use another one.';
    case null:
      return 'That did not work. Try again.';
  }
}

/**
 * The hosted page's "Approve on your phone": what a finished wait says. A wrong number typed on the
 * phone comes back as `invalid_code`; "This wasn't me" and "Report fraud" carry no reason.
 */
export function describePushEnd(end: { status: 'denied'; reason: VerifyRejectReason | null } | { status: 'expired' }): string {
  if (end.status === 'expired') return 'No answer in time: the request on your phone has expired. Send it again, or use another way to verify.';
  return end.reason === 'invalid_code'
    ? 'The request was denied on your phone: the number typed there did not match. Send it again, or use another way to verify.'
    : 'The request was denied on your phone. If that was you by mistake, send it again; otherwise use another way to verify.';
}
