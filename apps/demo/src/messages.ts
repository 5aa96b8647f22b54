// What the user reads when something goes wrong: plain words, never a code or a stack trace.
import { HoldfastApiError, HoldfastUnavailableError, type VerifyRejectReason } from '@holdfast/sdk';

/** Why a second step was rejected, in words; exhaustive over Holdfast's reasons so a new one does not compile silently. */
export function describeRejection(reason: VerifyRejectReason | null): string {
  switch (reason) {
    case 'invalid_code':
      return "That code didn't match. Check your authenticator app and try again.";
    case 'replay':
      return 'That code was already used. Wait for the next code and try again.';
    case 'locked':
      return 'Too many wrong tries: this sign-in method is locked for a while. Try again later, or choose another way.';
    case 'account_locked':
      return 'Your account is locked after too many wrong tries. Contact support to unlock it.';
    case 'factor_not_active':
      return 'That sign-in method is no longer active. Choose another way.';
    case 'verification_failed':
      return 'Your passkey or security key could not be verified. Try again.';
    case 'clone_suspected':
      return 'This security key was suspended because it may have been copied. Choose another way.';
    case null:
      return 'That did not work. Try again.';
  }
}

/** A failed call to Holdfast, in words, or null when it is not Holdfast's (a bug: let it surface as a 500). */
export function describeHoldfastError(error: unknown): string | null {
  if (error instanceof HoldfastUnavailableError) {
    return "Holdfast isn't answering right now, so we can't check your second step. Try again in a minute.";
  }
  if (!(error instanceof HoldfastApiError)) return null;
  switch (error.code) {
    case 'RATE_LIMITED':
      return 'Too many attempts. Wait a moment and try again.';
    case 'WEBAUTHN_CHALLENGE_INVALID':
      return 'That passkey request expired. Try again.';
    case 'TRANSACTION_EXPIRED':
    case 'RESULT_INVALID':
    case 'RESULT_ALREADY_USED':
    case 'RESULT_USER_MISMATCH':
      return 'That verification expired or was already used. Sign in again.';
    case 'PUSH_PENDING':
      return 'A sign-in request is already waiting on your phone. Answer it there, or wait a minute for it to run out and send a new one — or choose another way below.';
    case 'PUSH_LIMIT_REACHED':
      return `Too many requests were sent to your phone in a short time. Try again ${describeWait(error.retryAfterMs)}, or choose another way below.`;
    case 'PUSH_SUSPENDED':
      return `Approval on your phone is paused for your account because a request was reported as fraud. Try again ${describeWait(error.retryAfterMs)}, or choose another way below.`;
    case 'FACTOR_NOT_FOUND':
      return 'No phone is paired for approval any more. Choose another way below.';
    case 'PUSH_TRANSACTION_NOT_FOUND':
      return 'That request to your phone is no longer known. Send a new one, or choose another way below.';
    case 'CALLBACK_NOT_REGISTERED':
      return "This demo's return address is not registered with Holdfast (the application's callback URLs), so the verification page cannot send you back.";
    default:
      return `Holdfast refused the request (${error.code}). Try again, or sign in again.`;
  }
}

/** "in 45 seconds", "in 3 minutes", "later" — for a Retry-After the gateway gave (or did not). */
export function describeWait(retryAfterMs: number | undefined): string {
  if (retryAfterMs === undefined || !Number.isFinite(retryAfterMs) || retryAfterMs <= 0) return 'later';
  const seconds = Math.ceil(retryAfterMs / 1000);
  if (seconds < 60) return `in ${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** How a push ended without approval, in words (`reason` as pushStatus reports it). */
export function describePushEnd(end: { status: 'denied'; reason: string | null } | { status: 'expired' }): string {
  if (end.status === 'expired') return 'No answer in time: the request on your phone has expired. Send it again, or choose another way below.';
  switch (end.reason) {
    case 'wrong_number':
      return 'The request was denied on your phone: the number typed there did not match this screen. Send it again, or choose another way below.';
    case 'fraud_reported':
      return 'The request was denied on your phone and reported as fraud, so approval on your phone is paused for a while. Choose another way below.';
    default:
      return 'The request was denied on your phone. If that was a mistake, send it again; otherwise choose another way below.';
  }
}
