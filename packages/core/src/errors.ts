/**
 * Every error core throws carries one of these codes; the API layer maps the category to a tRPC
 * error / HTTP status in exactly one place.
 */
export const errorCodes = {
  BAD_REQUEST: 'bad_request',
  UNAUTHENTICATED: 'unauthorized',
  FORBIDDEN: 'forbidden',
  USER_NOT_FOUND: 'not_found',
  FACTOR_NOT_FOUND: 'not_found',
  ATTEMPT_NOT_FOUND: 'not_found',
  FACTOR_NOT_ACTIVE: 'conflict',
  ALREADY_ENROLLED: 'conflict',
  ATTEMPT_ID_REUSED: 'conflict',
  INVALID_CODE: 'bad_request',
  ENROLLMENT_LINK_INVALID: 'unauthorized',
  ENROLLMENT_LINK_EXPIRED: 'gone',
  ENROLLMENT_LINK_USED: 'gone',
  ENROLLMENT_SESSION_INVALID: 'unauthorized',
  FRESH_VERIFICATION_REQUIRED: 'gone',
  /** Unknown, expired, already used, another user's, or issued for the other ceremony. */
  WEBAUTHN_CHALLENGE_INVALID: 'bad_request',
  /** A registration response that does not verify (origin, RP ID, user verification, signature…). */
  WEBAUTHN_VERIFICATION_FAILED: 'bad_request',
  /** A hosted verification's callback URL that is not one of the application's registered ones. */
  CALLBACK_NOT_REGISTERED: 'bad_request',
  /** Unknown hosted-verification transaction token. */
  TRANSACTION_INVALID: 'unauthorized',
  /** The transaction's 10 minutes are over. */
  TRANSACTION_EXPIRED: 'gone',
  /** The transaction already succeeded (its result was issued). */
  TRANSACTION_COMPLETED: 'gone',
  /** A result token that is malformed, badly signed, expired, or for another application. */
  RESULT_INVALID: 'bad_request',
  /** A result token that was already redeemed: single use. */
  RESULT_ALREADY_USED: 'conflict',
  RATE_LIMITED: 'too_many_requests',
  DATABASE_UNAVAILABLE: 'unavailable',
  INTERNAL: 'internal',
} as const;

export type ErrorCode = keyof typeof errorCodes;
export type ErrorCategory = (typeof errorCodes)[ErrorCode];

/**
 * A domain error whose message is safe to return to a caller: never put secrets, codes or key
 * material in `message`; attach diagnostic detail as `cause` instead, which is never serialized.
 */
export class HoldfastError extends Error {
  readonly code: ErrorCode;
  readonly category: ErrorCategory;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HoldfastError';
    this.code = code;
    this.category = errorCodes[code];
  }
}

export function isHoldfastError(e: unknown): e is HoldfastError {
  return e instanceof HoldfastError;
}
