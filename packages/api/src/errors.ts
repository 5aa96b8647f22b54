import { isHoldfastError, type ErrorCategory, type ErrorCode } from '@holdfast/core';
import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';

const trpcCodeByCategory = {
  bad_request: 'BAD_REQUEST',
  unauthorized: 'UNAUTHORIZED',
  forbidden: 'FORBIDDEN',
  not_found: 'NOT_FOUND',
  conflict: 'CONFLICT',
  // tRPC has no 410 Gone; 412 says "this link's precondition (unused, unexpired) no longer holds".
  gone: 'PRECONDITION_FAILED',
  too_many_requests: 'TOO_MANY_REQUESTS',
  unavailable: 'SERVICE_UNAVAILABLE',
  internal: 'INTERNAL_SERVER_ERROR',
} as const satisfies Record<ErrorCategory, TRPC_ERROR_CODE_KEY>;

// SQLSTATEs and socket errors that mean "the database is not reachable right now" — a 503 that
// clients may retry elsewhere, never a 500.
const unavailableCodes = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND',
  '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '25006', '53300',
]);

function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth += 1) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && unavailableCodes.has(code)) return true;
    if (typeof message === 'string' && /Connection terminated|timeout exceeded when trying to connect|Can't reach database/i.test(message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** The one place domain errors become transport errors. The Holdfast code travels in `data.holdfastCode`. */
export function holdfastCodeOf(error: TRPCError): ErrorCode {
  const cause = error.cause;
  if (isHoldfastError(cause)) return cause.code;
  if (isDatabaseUnavailable(cause)) return 'DATABASE_UNAVAILABLE';
  switch (error.code) {
    case 'BAD_REQUEST':
    case 'PARSE_ERROR':
    case 'PAYLOAD_TOO_LARGE':
    case 'UNSUPPORTED_MEDIA_TYPE':
    case 'METHOD_NOT_SUPPORTED':
      return 'BAD_REQUEST';
    case 'NOT_FOUND':
      return 'BAD_REQUEST'; // an unknown procedure path
    default:
      return 'INTERNAL';
  }
}

export function toTrpcError(error: TRPCError): TRPCError {
  const code = holdfastCodeOf(error);
  if (isHoldfastError(error.cause)) {
    return new TRPCError({ code: trpcCodeByCategory[error.cause.category], message: error.cause.message, cause: error.cause });
  }
  if (code === 'DATABASE_UNAVAILABLE') {
    return new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'database unavailable', cause: error.cause });
  }
  return error;
}
