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
  /**
   * The attempt id's recorded outcome is no longer returned: older than 10 minutes, or the factor
   * was revoked, replaced or locked since. 409 (not 410: tRPC has no Gone and this layer maps
   * `gone` to 412): the id conflicts with recorded state; use a fresh attempt id.
   */
  ATTEMPT_ID_EXPIRED: 'conflict',
  INVALID_CODE: 'bad_request',
  ENROLLMENT_LINK_INVALID: 'unauthorized',
  ENROLLMENT_LINK_EXPIRED: 'gone',
  ENROLLMENT_LINK_USED: 'gone',
  ENROLLMENT_SESSION_INVALID: 'unauthorized',
  FRESH_VERIFICATION_REQUIRED: 'gone',
  /** A newer enrollment link was issued for the user, or the session was ended (logout): this one is over. */
  ENROLLMENT_LINK_SUPERSEDED: 'gone',
  /** The user has a factor: the enrollment session must verify one (within 5 minutes) before changing any. */
  STEP_UP_REQUIRED: 'forbidden',
  /** The user already has the maximum number of bound factors. */
  FACTOR_LIMIT_REACHED: 'conflict',
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
  /** The hosted transaction had too many failed attempts; the application must start a new one. */
  TRANSACTION_ATTEMPTS_EXCEEDED: 'too_many_requests',
  /** A result code (or token) that is unknown, expired, or for another application. */
  RESULT_INVALID: 'bad_request',
  /** A result code that was already redeemed: single use. */
  RESULT_ALREADY_USED: 'conflict',
  /** A hosted result redeemed with another user id than the one it was issued for (it is spent). */
  RESULT_USER_MISMATCH: 'conflict',
  /** A hosted verification with a kind of factor the application did not allow for it. */
  FACTOR_KIND_NOT_ALLOWED: 'forbidden',
  /** A callback URL (or origin) over plain http on a host that is not loopback. */
  INSECURE_URL: 'bad_request',
  /** A webhook URL that is not absolute https (http only for localhost), or carries credentials. */
  WEBHOOK_URL_INVALID: 'bad_request',
  /** The application has no webhook endpoint configured. */
  WEBHOOK_NOT_CONFIGURED: 'not_found',
  /** No webhook delivery with this id for this application. */
  WEBHOOK_DELIVERY_NOT_FOUND: 'not_found',
  RATE_LIMITED: 'too_many_requests',
  /**
   * The gateway worker's admission queue is full (a surge): the request was refused before any
   * work, so it is safe to send it — with the same attempt id — to another gateway at once.
   */
  GATEWAY_OVERLOADED: 'unavailable',
  DATABASE_UNAVAILABLE: 'unavailable',
  /** A push is already waiting for this user's answer: one pending push per user (issue 11). */
  PUSH_PENDING: 'conflict',
  /** The user reported a push as fraud: push is suspended for them until `retryAfterMs` has passed. */
  PUSH_SUSPENDED: 'forbidden',
  /**
   * The user's push limit per window is used up (fatigue defence). Not RATE_LIMITED: that one is
   * the gateways' flood shield, which the SDK answers by trying another gateway at once.
   */
  PUSH_LIMIT_REACHED: 'too_many_requests',
  /** An unknown, expired or already used pairing token — one code for all, so none can be probed. */
  PUSH_PAIRING_INVALID: 'unauthorized',
  /**
   * The one answer a device gets when its request cannot be acted on: bad signature, unknown or
   * removed device, another user's or an unknown transaction, a clock too far off, a decided
   * transaction. The audit trail records which (privacyIDEA's rule: every failure looks the same).
   */
  PUSH_REQUEST_REFUSED: 'forbidden',
  /** No push transaction with this id (or attempt id) for this application. */
  PUSH_TRANSACTION_NOT_FOUND: 'not_found',
  /**
   * Admin console (issue 13). One code for an unknown email, a wrong password and a disabled
   * account, so none can be probed; the audit trail records which.
   */
  ADMIN_SIGN_IN_FAILED: 'unauthorized',
  /** No admin session, or one that is expired (12 h absolute, 30 min idle), revoked or still waiting for its second factor. */
  ADMIN_SESSION_INVALID: 'unauthorized',
  /** The admin's role may not do this (core canAdmin): refused by the API, not only hidden by the console. */
  ADMIN_FORBIDDEN: 'forbidden',
  /** A sensitive action needs a second factor verified within the last 5 minutes. */
  ADMIN_STEP_UP_REQUIRED: 'forbidden',
  /** Too many failed sign-ins for this admin account: try again after `retryAfterMs`. */
  ADMIN_LOCKED: 'too_many_requests',
  /** No such relying application (the canary and the admin console's own application count as none). */
  APPLICATION_NOT_FOUND: 'not_found',
  /** No API key with this id for this application. */
  API_KEY_NOT_FOUND: 'not_found',
  /** The API key is already expiring (rotated) or revoked: only an active key can be rotated. */
  API_KEY_NOT_ACTIVE: 'conflict',
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
  /** When asking again may succeed (push fatigue limits): becomes `Retry-After` on the wire. */
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, options !== undefined && 'cause' in options ? { cause: options.cause } : undefined);
    this.name = 'HoldfastError';
    this.code = code;
    this.category = errorCodes[code];
    this.retryAfterMs = options?.retryAfterMs;
  }
}

export function isHoldfastError(e: unknown): e is HoldfastError {
  return e instanceof HoldfastError;
}
