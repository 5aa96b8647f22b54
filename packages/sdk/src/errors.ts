/** A gateway answered and refused the request (4xx): retrying elsewhere would not change the answer. */
export class HoldfastApiError extends Error {
  override readonly name = 'HoldfastApiError';
  constructor(
    /** Holdfast's typed error code, e.g. `USER_NOT_FOUND`, `ATTEMPT_ID_REUSED`. */
    readonly code: string,
    readonly httpStatus: number,
    message: string,
    /** When asking again may succeed (push refusals: PUSH_LIMIT_REACHED, PUSH_PENDING, PUSH_SUSPENDED). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** No gateway produced an answer before the deadline. */
export class HoldfastUnavailableError extends Error {
  override readonly name = 'HoldfastUnavailableError';
  constructor(
    message: string,
    /** What each gateway tried said, last attempt per gateway. */
    readonly failures: { gateway: string; reason: string }[],
  ) {
    super(message);
  }
}
