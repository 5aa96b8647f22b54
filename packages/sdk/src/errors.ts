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

/** One failed try of a call, as the SDK saw it. */
export interface HoldfastTry {
  gateway: string;
  /** `deadline` (the try's time ran out), an HTTP status with Holdfast's code, or a network error code. */
  reason: string;
  /** When the try was sent, in ms since the call began. */
  atMs: number;
  /** How long it took to fail, in ms. */
  ms: number;
  /** Sent by the hedge (the same request to another region after `hedgeAfterMs`), not the first sequence. */
  isHedge: boolean;
}

/** No gateway produced an answer before the deadline. */
export class HoldfastUnavailableError extends Error {
  override readonly name = 'HoldfastUnavailableError';
  constructor(
    message: string,
    /** What each gateway tried said, last attempt per gateway. */
    readonly failures: { gateway: string; reason: string }[],
    /** Every failed try, in the order they were sent: where the deadline went. */
    readonly tries: HoldfastTry[] = [],
  ) {
    super(message);
  }
}
