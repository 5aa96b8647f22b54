import { HoldfastError, isSecureOrLoopbackUrl } from '@holdfast/core';
import type { AuthenticatorTransport } from '@simplewebauthn/server';
import type { ServiceDeps } from '../../deps';

/** An application's WebAuthn policy (columns on `applications`). */
export interface WebauthnPolicy {
  rpId: string;
  rpName: string;
  allowedOrigins: string[];
  userVerification: 'required' | 'preferred';
  attestation: 'none' | 'direct';
}

/** How long a challenge may be answered; the browser's ceremony timeout says the same. */
export const webauthnChallengeTtlMs = 5 * 60_000;

/** Challenge size: WebAuthn asks for at least 16 random bytes. */
export const webauthnChallengeBytes = 32;

/**
 * The origins a ceremony may come from: https, or http on a loopback host (development). Over plain
 * http anyone on the path can run the page, so an http origin elsewhere binds nothing. The database
 * refuses new ones (CHECK `applications_allowed_origins_secure`); rows from before are filtered here.
 */
export function secureOrigins(origins: readonly string[]): string[] {
  return origins.filter((origin) => isSecureOrLoopbackUrl(origin));
}

/**
 * Read on every ceremony, never from the metadata cache: the policy decides what a response must
 * prove, so a stale copy could accept what the operator has just forbidden.
 */
export async function loadWebauthnPolicy(options: { deps: ServiceDeps; applicationId: string }): Promise<WebauthnPolicy> {
  const row = await options.deps.db.prisma.application.findUnique({
    where: { id: options.applicationId },
    select: { rpId: true, rpName: true, allowedOrigins: true, userVerification: true, attestation: true },
  });
  if (row === null) throw new HoldfastError('UNAUTHENTICATED', 'unknown application');
  return { ...row, allowedOrigins: secureOrigins(row.allowedOrigins) };
}

const knownTransports: readonly AuthenticatorTransport[] = ['ble', 'hybrid', 'internal', 'nfc', 'usb'];

/** Stored transports back to the library's type, dropping anything it does not know. */
export function toTransports(stored: readonly string[]): AuthenticatorTransport[] {
  return knownTransports.filter((transport) => stored.includes(transport));
}
