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
    case 'CALLBACK_NOT_REGISTERED':
      return "This demo's return address is not registered with Holdfast (the application's callback URLs), so the verification page cannot send you back.";
    default:
      return `Holdfast refused the request (${error.code}). Try again, or sign in again.`;
  }
}
