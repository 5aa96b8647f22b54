// RFC 9457 problem details for the REST surface. The status, the typed code and the message come
// from the router's own error path (errors.ts → trpc.ts's errorFormatter), so a REST caller and a
// tRPC caller are refused with the same status and the same holdfastCode.
import { errorCodes, type ErrorCode } from '@holdfast/core';
import { z } from 'zod';

export const problemContentType = 'application/problem+json';

/**
 * `type` is a URI per typed code (RFC 9457 3.1.1: a stable identifier that may be dereferenced;
 * we chose a URL over `about:blank` so clients can switch on `type` alone). `holdfastCode` carries
 * the same code for clients that prefer the SDK's names.
 */
export const problemTypeBase = 'https://holdfast.dev/problems/';

export function problemTypeOf(code: ErrorCode): string {
  return `${problemTypeBase}${code.toLowerCase().replace(/_/g, '-')}`;
}

/** A short, fixed summary per code (RFC 9457: the title does not change between occurrences). */
export function problemTitleOf(code: ErrorCode): string {
  const words = code.toLowerCase().split('_');
  const sentence = words.join(' ');
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

const errorCodeNames = Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]];

/** The problem body; also the OpenAPI document's `Problem` schema (one source). */
export const problemSchema = z.strictObject({
  type: z.string().describe('https://holdfast.dev/problems/<holdfast-code-in-kebab-case>'),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  /** A message safe to show a developer: never a code, a secret or key material. */
  detail: z.string(),
  holdfastCode: z.enum(errorCodeNames),
  /** Input errors: which fields, and why (paths and messages only, never the values sent). */
  issues: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
  /** 429 and 503 refusals: also in the Retry-After header. */
  retryAfterSeconds: z.number().int().min(1).optional(),
});
export type Problem = z.infer<typeof problemSchema>;

export function problemOf(options: {
  holdfastCode: ErrorCode;
  status: number;
  detail: string;
  issues?: Problem['issues'];
  retryAfterSeconds?: number;
}): Problem {
  return {
    type: problemTypeOf(options.holdfastCode),
    title: problemTitleOf(options.holdfastCode),
    status: options.status,
    detail: options.detail,
    holdfastCode: options.holdfastCode,
    ...(options.issues === undefined ? {} : { issues: options.issues }),
    ...(options.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: options.retryAfterSeconds }),
  };
}
