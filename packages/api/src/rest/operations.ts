// The REST surface for relying applications (issue 10), declared once: each operation names a
// tRPC procedure, and its input and output schemas are read from that procedure itself, so REST,
// tRPC and the OpenAPI document cannot disagree about a field. The gateway (apps/gateway/src/rest)
// serves these operations through the same router (tRPC's caller: the same middleware — API-key
// authentication, failure counting, rejection audit, metrics — and the same zod parsing).
//
// Path rule (fixed; the SDK, the demo and the docs rely on it): `/v1/` + the procedure path with
// `.` → `/` and camelCase → kebab-case; queries are GET with their flat input as query parameters,
// mutations POST with a JSON body.
import type { AnyTRPCProcedure } from '@trpc/server';
import { z } from 'zod';
import { appRouter } from '../router';
import { applicationProcedure } from '../trpc';

/** Every procedure of the router by dotted path (`verify.totp`), as tRPC's own path table has them. */
type ProcedurePaths<TRecord, TPrefix extends string = ''> = {
  [K in keyof TRecord & string]: TRecord[K] extends AnyTRPCProcedure ? `${TPrefix}${K}` : ProcedurePaths<TRecord[K], `${TPrefix}${K}.`>;
}[keyof TRecord & string];
export type ProcedurePath = ProcedurePaths<(typeof appRouter)['_def']['record']>;

export type RestMethod = 'GET' | 'POST';

export interface RestOperationDeclaration {
  procedure: ProcedurePath;
  method: RestMethod;
  /** `/v1/…`, by the path rule (checked by `restPathOf` in operations.test.ts and at load). */
  path: string;
  /** OpenAPI tag: groups operations in generated clients and docs. */
  tag: 'verification' | 'enrollment' | 'factors' | 'hosted' | 'webhooks';
  summary: string;
  description?: string;
}

/** The relying-application operations: every `applicationProcedure` of the router, once. */
export const restOperationDeclarations = [
  {
    procedure: 'preauth',
    method: 'GET',
    path: '/v1/preauth',
    tag: 'verification',
    summary: 'Which factors the user can verify with, or `enroll` when they have none',
  },
  {
    procedure: 'verify.totp',
    method: 'POST',
    path: '/v1/verify/totp',
    tag: 'verification',
    summary: 'Verify an authenticator-app (TOTP) code',
    description:
      '`attemptId` is the idempotency key: send the same one on every retry. A retry within 10 minutes gets the recorded outcome (`replayed: true`); the same id with another code is 409 ATTEMPT_ID_REUSED.',
  },
  {
    procedure: 'verify.recoveryCode',
    method: 'POST',
    path: '/v1/verify/recovery-code',
    tag: 'verification',
    summary: 'Verify a single-use recovery code',
  },
  {
    procedure: 'verify.bypassCode',
    method: 'POST',
    path: '/v1/verify/bypass-code',
    tag: 'verification',
    summary: 'Verify a one-time bypass code an admin issued the user (single use, short-lived)',
    description:
      'The application hears of each issue by its webhook (`bypass.issued`), so it can tell the user. A right code already used is rejected with `replay`; a wrong or expired one with `invalid_code`, which counts toward the lockout.',
  },
  {
    procedure: 'verify.webauthnBegin',
    method: 'POST',
    path: '/v1/verify/webauthn-begin',
    tag: 'verification',
    summary: 'Start a security-key or passkey login: options for `navigator.credentials.get` and the challenge id',
  },
  {
    procedure: 'verify.webauthnFinish',
    method: 'POST',
    path: '/v1/verify/webauthn-finish',
    tag: 'verification',
    summary: "Finish it with the browser's assertion (any gateway)",
  },
  {
    procedure: 'verify.status',
    method: 'GET',
    path: '/v1/verify/status',
    tag: 'verification',
    summary: 'The recorded outcome of an attempt id (lost reply)',
  },
  {
    procedure: 'verify.pushBegin',
    method: 'POST',
    path: '/v1/verify/push-begin',
    tag: 'verification',
    summary: "Send a push to the user's paired phones; show the returned number on the login screen",
    description:
      '`attemptId` is the idempotency key: a retry (on any gateway) gets the same transaction with `replayed: true`. Refused with 409 PUSH_PENDING (one pending push per user), 429 PUSH_LIMIT_REACHED (N per window) or 403 PUSH_SUSPENDED (after a fraud report), each with Retry-After; 404 FACTOR_NOT_FOUND when the user has no paired device.',
  },
  {
    procedure: 'verify.pushStatus',
    method: 'GET',
    path: '/v1/verify/push-status',
    tag: 'verification',
    summary: 'A push transaction’s status by `transactionId` or `attemptId`; `waitMs` (≤ 25 000) long-polls until it is decided',
  },
  {
    procedure: 'enrollment.createLink',
    method: 'POST',
    path: '/v1/enrollment/create-link',
    tag: 'enrollment',
    summary: 'A one-time link for the user to enroll factors (a newer link ends older ones)',
  },
  {
    procedure: 'factors.revoke',
    method: 'POST',
    path: '/v1/factors/revoke',
    tag: 'factors',
    summary: "Revoke one of the user's factors (idempotent); it stops verifying at once",
  },
  {
    procedure: 'factors.unlock',
    method: 'POST',
    path: '/v1/factors/unlock',
    tag: 'factors',
    summary: 'End the lockout of one factor (or all, without `factorId`) and of the account; audited',
  },
  {
    procedure: 'hosted.createTransaction',
    method: 'POST',
    path: '/v1/hosted/create-transaction',
    tag: 'hosted',
    summary: 'A hosted verification: the page URL to send the user to (10 minutes)',
  },
  {
    procedure: 'hosted.redeemResult',
    method: 'POST',
    path: '/v1/hosted/redeem-result',
    tag: 'hosted',
    summary: "Exchange the callback's one-time code for the result and its signed receipt",
  },
  {
    procedure: 'webhooks.configure',
    method: 'POST',
    path: '/v1/webhooks/configure',
    tag: 'webhooks',
    summary: "Set, change, rotate the secret of, or (url: null) remove the application's webhook endpoint",
  },
  {
    procedure: 'webhooks.deliveries',
    method: 'GET',
    path: '/v1/webhooks/deliveries',
    tag: 'webhooks',
    summary: 'The webhook delivery log, newest first, with every attempt',
  },
  {
    procedure: 'webhooks.redeliver',
    method: 'POST',
    path: '/v1/webhooks/redeliver',
    tag: 'webhooks',
    summary: 'Queue a delivered or failed event again (same id), with a fresh retry budget',
  },
] as const satisfies readonly RestOperationDeclaration[];

/** A declared operation with the procedure's own schemas. */
export interface RestOperation extends RestOperationDeclaration {
  /** What the procedure parses its input with (before defaults: the request's shape). */
  input: z.ZodType;
  /** What the procedure's output is checked against (the response's shape). */
  output: z.ZodType;
}

/** The path rule: `verify.webauthnBegin` → `/v1/verify/webauthn-begin`. */
export function restPathOf(procedure: string): string {
  return `/v1/${procedure
    .split('.')
    .map((segment) => segment.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`))
    .join('/')}`;
}

/**
 * At run time `_def.procedures` is the flat table by dotted path (as in the tRPC transport); a
 * procedure's `_def` holds its middleware chain, input parsers and output parser.
 */
interface ProcedureDef {
  type: 'query' | 'mutation' | 'subscription';
  middlewares: readonly unknown[];
  inputs: readonly unknown[];
  output?: unknown;
}
function proceduresOf(): Record<string, { _def: ProcedureDef } | undefined> {
  return appRouter._def.procedures as unknown as Record<string, { _def: ProcedureDef } | undefined>;
}

/**
 * The procedures a relying application calls with its API key: those whose middleware chain ends
 * in `applicationProcedure`'s authentication. Read from the router, so a new one without a REST
 * operation fails `[OPENAPI_VALID]` and operations.test.ts.
 */
export function applicationProcedurePaths(): string[] {
  const chain = (applicationProcedure as unknown as { _def: ProcedureDef })._def.middlewares;
  const authentication = chain[chain.length - 1];
  return Object.entries(proceduresOf())
    .filter(([, procedure]) => procedure !== undefined && procedure._def.middlewares.includes(authentication))
    .map(([path]) => path);
}

function resolve(declaration: RestOperationDeclaration): RestOperation {
  const procedure = proceduresOf()[declaration.procedure];
  if (procedure === undefined) throw new Error(`REST operation ${declaration.path}: no procedure ${declaration.procedure}`);
  const { type, inputs, output } = procedure._def;
  // A mismatch is a programming error: fail at load, not on the first request.
  if (declaration.method !== (type === 'query' ? 'GET' : 'POST'))
    throw new Error(`REST operation ${declaration.path}: ${type} must be ${type === 'query' ? 'GET' : 'POST'}`);
  if (declaration.path !== restPathOf(declaration.procedure))
    throw new Error(`REST operation ${declaration.procedure}: path must be ${restPathOf(declaration.procedure)}`);
  const [input] = inputs;
  if (inputs.length !== 1 || !(input instanceof z.ZodType) || !(output instanceof z.ZodType)) {
    throw new Error(`REST operation ${declaration.path}: the procedure needs exactly one zod input and a zod output`);
  }
  return { ...declaration, input, output };
}

/** The table with schemas, built once at load. */
export const restOperations: readonly RestOperation[] = restOperationDeclarations.map(resolve);
