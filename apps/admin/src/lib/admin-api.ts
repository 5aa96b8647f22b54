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
import { callGateway } from './gateway';

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

/** An `admin.*` procedure's path on the gateways' tRPC router. */
type AdminProcedure = `admin.${string}`;

interface AdminCall<S extends z.ZodType> {
  /** The admin session's token; null before there is one (sign-in: the pending token is in the input). */
  bearer: string | null;
  /** Already checked by the caller (the validators' input schema): it goes on the wire as it is. */
  input?: unknown;
  /** The answer's schema — the same one the gateway's `.output()` uses. */
  output: S;
  signal?: AbortSignal;
}

/** A read: any gateway may answer it, so a failure moves on to the next one. */
export async function adminQuery<S extends z.ZodType>(procedure: AdminProcedure, options: AdminCall<S>): Promise<z.output<S>> {
  return options.output.parse(
    await callGateway({
      bearer: options.bearer,
      isIdempotent: true,
      call: (client, signal) => client.query(procedure, options.input, { signal }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    }),
  );
}

/**
 * A change (or a sign-in step): sent once unless `isIdempotent` — a code, an unlock or a bypass is
 * counted where it arrived, so it is not retried on another gateway after a timeout.
 */
export async function adminMutation<S extends z.ZodType>(procedure: AdminProcedure, options: AdminCall<S> & { isIdempotent?: boolean }): Promise<z.output<S>> {
  return options.output.parse(
    await callGateway({
      bearer: options.bearer,
      isIdempotent: options.isIdempotent ?? false,
      call: (client, signal) => client.mutation(procedure, options.input, { signal }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    }),
  );
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
  return adminMutation('admin.auth.signIn', { bearer: null, input, output: signInStarted });
}

export function verifyTotp(input: AdminInputs['auth']['verifyTotp']): Promise<AdminSignedIn> {
  return adminMutation('admin.auth.verifyTotp', { bearer: null, input, output: adminSignedIn });
}

export function webauthnBegin(input: AdminInputs['auth']['webauthnBegin']): Promise<{ options: PublicKeyCredentialRequestOptionsJSON }> {
  return adminMutation('admin.auth.webauthnBegin', { bearer: null, input, output: requestOptions });
}

export function webauthnFinish(input: { pendingToken: string; response: AuthenticationResponseJSON }): Promise<AdminSignedIn> {
  const request: AdminInputs['auth']['webauthnFinish'] = { pendingToken: input.pendingToken, response: plain(input.response) };
  return adminMutation('admin.auth.webauthnFinish', { bearer: null, input: request, output: adminSignedIn });
}

export function enrollTotpBegin(input: AdminInputs['auth']['enrollTotpBegin']): Promise<{ otpauthUri: string; secretBase32: string }> {
  return adminMutation('admin.auth.enrollTotpBegin', { bearer: null, input, output: totpEnrollment });
}

export function enrollTotpConfirm(input: AdminInputs['auth']['enrollTotpConfirm']): Promise<AdminSignedIn> {
  return adminMutation('admin.auth.enrollTotpConfirm', { bearer: null, input, output: adminSignedIn });
}

export function enrollWebauthnBegin(input: AdminInputs['auth']['enrollWebauthnBegin']): Promise<{ options: PublicKeyCredentialCreationOptionsJSON }> {
  return adminMutation('admin.auth.enrollWebauthnBegin', { bearer: null, input, output: creationOptions });
}

export function enrollWebauthnFinish(input: { pendingToken: string; response: RegistrationResponseJSON }): Promise<AdminSignedIn> {
  const request: AdminInputs['auth']['enrollWebauthnFinish'] = { pendingToken: input.pendingToken, response: plain(input.response) };
  return adminMutation('admin.auth.enrollWebauthnFinish', { bearer: null, input: request, output: adminSignedIn });
}

// — A signed-in session (bearer `hfa_…`) —

export function sessionMe(bearer: string): Promise<AdminSessionInfo> {
  return adminQuery('admin.session.me', { bearer, output: sessionInfo });
}

export async function signOut(bearer: string): Promise<void> {
  // Ending a session twice is harmless: it may be tried on the next gateway.
  await adminMutation('admin.session.signOut', { bearer, output: z.unknown(), isIdempotent: true });
}

export function stepUpTotp(bearer: string, input: AdminInputs['session']['stepUpTotp']): Promise<{ stepUpUntil: string }> {
  return adminMutation('admin.session.stepUpTotp', { bearer, input, output: stepUp });
}

export function stepUpWebauthnBegin(bearer: string): Promise<{ options: PublicKeyCredentialRequestOptionsJSON }> {
  return adminMutation('admin.session.stepUpWebauthnBegin', { bearer, output: requestOptions });
}

export function stepUpWebauthnFinish(bearer: string, input: { response: AuthenticationResponseJSON }): Promise<{ stepUpUntil: string }> {
  const request: AdminInputs['session']['stepUpWebauthnFinish'] = { response: plain(input.response) };
  return adminMutation('admin.session.stepUpWebauthnFinish', { bearer, input: request, output: stepUp });
}

export function overviewSnapshot(bearer: string, signal?: AbortSignal): Promise<ClusterOverview> {
  return adminQuery('admin.overview.snapshot', { bearer, output: clusterOverview, ...(signal === undefined ? {} : { signal }) });
}

/** The live map's SSE path on every gateway (not tRPC: a plain GET with the admin bearer). */
export const overviewStreamPath = '/v1/admin/overview/stream';
