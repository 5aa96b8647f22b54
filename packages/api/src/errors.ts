import { isHoldfastError, type ErrorCategory, type ErrorCode } from '@holdfast/core';
import { isTransientDatabaseError } from '@holdfast/db';
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

/** The one place domain errors become transport errors. The Holdfast code travels in `data.holdfastCode`. */
export function holdfastCodeOf(error: TRPCError): ErrorCode {
  const cause = error.cause;
  if (isHoldfastError(cause)) return cause.code;
  if (isTransientDatabaseError(cause)) return 'DATABASE_UNAVAILABLE';
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
