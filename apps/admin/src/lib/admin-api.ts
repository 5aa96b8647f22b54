// The ONE file that knows the gateways' `admin.*` procedures (COMMON.md Phase 8, "The admin API
// contract"): their paths, inputs and outputs. Every answer is parsed here with zod, so a gateway
// that answers something else fails loudly in one place instead of half-rendering a page. Pages,
// actions and route handlers call these functions and never name a procedure themselves.
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/browser';
import type { AppRouter } from '@holdfast/api';
import { adminFactorKind, adminRole, clusterOverview, type ClusterOverview } from '@holdfast/validators';
import type { inferRouterInputs } from '@trpc/server';
import { z } from 'zod';
import { callGateway, type GatewayClient } from './gateway';

const isoTime = z.union([z.string(), z.date()]).transform((value) => (typeof value === 'string' ? value : value.toISOString()));

const signInStarted = z.object({
  pendingToken: z.string().min(1),
  expiresAt: isoTime,
  enrolledFactors: z.array(adminFactorKind),
  mustEnroll: z.boolean(),
});
export type SignInStarted = z.infer<typeof signInStarted>;

const signedInAdmin = z.object({ id: z.string(), email: z.string(), name: z.string(), role: adminRole });
export type SignedInAdmin = z.infer<typeof signedInAdmin>;

const adminSignedIn = z.object({ sessionToken: z.string().min(1), expiresAt: isoTime, admin: signedInAdmin });
export type AdminSignedIn = z.infer<typeof adminSignedIn>;

// WebAuthn options are checked by the browser's ceremony; here only that they are objects.
const creationOptions = z.object({ options: z.custom<PublicKeyCredentialCreationOptionsJSON>((value) => typeof value === 'object' && value !== null) });
const requestOptions = z.object({ options: z.custom<PublicKeyCredentialRequestOptionsJSON>((value) => typeof value === 'object' && value !== null) });

const totpEnrollment = z.object({ otpauthUri: z.string().startsWith('otpauth://'), secretBase32: z.string().min(16) });
const stepUp = z.object({ stepUpUntil: isoTime });
const sessionInfo = z.object({
  admin: signedInAdmin,
  session: z.object({ createdAt: isoTime, expiresAt: isoTime, stepUpUntil: isoTime.nullable() }),
});
export type AdminSessionInfo = z.infer<typeof sessionInfo>;

/**
 * What the app router accepts, so tsc fails here — not in a page — when a procedure's input changes.
 * (Outputs are parsed with zod below: the wire carries dates as ISO strings.)
 */
type AdminInputs = inferRouterInputs<AppRouter>['admin'];

type Call = (client: GatewayClient, signal: AbortSignal) => Promise<unknown>;

export async function ask<S extends z.ZodType>(
  schema: S,
  options: { bearer: string | null; isIdempotent: boolean; call: Call; signal?: AbortSignal },
): Promise<z.output<S>> {
  return schema.parse(await callGateway(options));
}

/** A browser's WebAuthn response as plain JSON (the DOM's extension-results type has no index signature). */
function plain<T extends { clientExtensionResults: object }>(
  response: T,
): Omit<T, 'clientExtensionResults'> & { clientExtensionResults: Record<string, unknown> } {
  const clientExtensionResults: Record<string, unknown> = { ...response.clientExtensionResults };
  return { ...response, clientExtensionResults };
}

// — Sign-in (no bearer: the pending token travels in the input) —

export function signIn(input: AdminInputs['auth']['signIn']): Promise<SignInStarted> {
  return ask(signInStarted, { bearer: null, isIdempotent: false, call: (client, signal) => client.mutation('admin.auth.signIn', input, { signal }) });
}

export function verifyTotp(input: AdminInputs['auth']['verifyTotp']): Promise<AdminSignedIn> {
  return ask(adminSignedIn, { bearer: null, isIdempotent: false, call: (client, signal) => client.mutation('admin.auth.verifyTotp', input, { signal }) });
}

export function webauthnBegin(input: AdminInputs['auth']['webauthnBegin']): Promise<{ options: PublicKeyCredentialRequestOptionsJSON }> {
  return ask(requestOptions, { bearer: null, isIdempotent: false, call: (client, signal) => client.mutation('admin.auth.webauthnBegin', input, { signal }) });
}

export function webauthnFinish(input: { pendingToken: string; response: AuthenticationResponseJSON }): Promise<AdminSignedIn> {
  const request: AdminInputs['auth']['webauthnFinish'] = { pendingToken: input.pendingToken, response: plain(input.response) };
  return ask(adminSignedIn, { bearer: null, isIdempotent: false, call: (client, signal) => client.mutation('admin.auth.webauthnFinish', request, { signal }) });
}

export function enrollTotpBegin(input: AdminInputs['auth']['enrollTotpBegin']): Promise<{ otpauthUri: string; secretBase32: string }> {
  return ask(totpEnrollment, { bearer: null, isIdempotent: false, call: (client, signal) => client.mutation('admin.auth.enrollTotpBegin', input, { signal }) });
}

export function enrollTotpConfirm(input: AdminInputs['auth']['enrollTotpConfirm']): Promise<AdminSignedIn> {
  return ask(adminSignedIn, {
    bearer: null,
    isIdempotent: false,
    call: (client, signal) => client.mutation('admin.auth.enrollTotpConfirm', input, { signal }),
  });
}

export function enrollWebauthnBegin(input: AdminInputs['auth']['enrollWebauthnBegin']): Promise<{ options: PublicKeyCredentialCreationOptionsJSON }> {
  return ask(creationOptions, {
    bearer: null,
    isIdempotent: false,
    call: (client, signal) => client.mutation('admin.auth.enrollWebauthnBegin', input, { signal }),
  });
}

export function enrollWebauthnFinish(input: { pendingToken: string; response: RegistrationResponseJSON }): Promise<AdminSignedIn> {
  const request: AdminInputs['auth']['enrollWebauthnFinish'] = { pendingToken: input.pendingToken, response: plain(input.response) };
  return ask(adminSignedIn, {
    bearer: null,
    isIdempotent: false,
    call: (client, signal) => client.mutation('admin.auth.enrollWebauthnFinish', request, { signal }),
  });
}

// — A signed-in session (bearer `hfa_…`) —

export function sessionMe(bearer: string): Promise<AdminSessionInfo> {
  return ask(sessionInfo, { bearer, isIdempotent: true, call: (client, signal) => client.query('admin.session.me', undefined, { signal }) });
}

export async function signOut(bearer: string): Promise<void> {
  await callGateway({ bearer, isIdempotent: true, call: (client, signal) => client.mutation('admin.session.signOut', undefined, { signal }) });
}

export function stepUpTotp(bearer: string, input: AdminInputs['session']['stepUpTotp']): Promise<{ stepUpUntil: string }> {
  return ask(stepUp, { bearer, isIdempotent: false, call: (client, signal) => client.mutation('admin.session.stepUpTotp', input, { signal }) });
}

export function stepUpWebauthnBegin(bearer: string): Promise<{ options: PublicKeyCredentialRequestOptionsJSON }> {
  return ask(requestOptions, {
    bearer,
    isIdempotent: false,
    call: (client, signal) => client.mutation('admin.session.stepUpWebauthnBegin', undefined, { signal }),
  });
}

export function stepUpWebauthnFinish(bearer: string, input: { response: AuthenticationResponseJSON }): Promise<{ stepUpUntil: string }> {
  const request: AdminInputs['session']['stepUpWebauthnFinish'] = { response: plain(input.response) };
  return ask(stepUp, { bearer, isIdempotent: false, call: (client, signal) => client.mutation('admin.session.stepUpWebauthnFinish', request, { signal }) });
}

export function overviewSnapshot(bearer: string, signal?: AbortSignal): Promise<ClusterOverview> {
  return ask(clusterOverview, {
    bearer,
    isIdempotent: true,
    call: (client, callSignal) => client.query('admin.overview.snapshot', undefined, { signal: callSignal }),
    ...(signal === undefined ? {} : { signal }),
  });
}

/** The live map's SSE path on every gateway (not tRPC: a plain GET with the admin bearer). */
export const overviewStreamPath = '/v1/admin/overview/stream';
