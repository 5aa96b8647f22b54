import { HoldfastError } from '@holdfast/core';
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { randomUUID } from 'node:crypto';
import type { ServiceDeps } from '../../deps';
import { verifyFactorForUser, type PresentedCredential } from '../verify/verify-factor-for-user';
import { beginWebauthnAuthentication } from '../webauthn/begin-webauthn-authentication';
import { adminExternalUserId, loadSystemApplication } from './system-application';

export type AdminFactorOutcome = { isAccepted: true; factorId: string; attemptId: string } | { isAccepted: false; reason: string };

/**
 * An admin's second factor is verified exactly as any user's: through `verifyFactorForUser` (the
 * one write path: attempt row, per-factor and account-wide lockout, TOTP single use, WebAuthn
 * counter rule, audit) for the admin's user in the system application. The attempt id is made
 * here (`admin-<purpose>-<uuid>`), never by the client; a replayed outcome is no proof.
 */
export async function verifyAdminFactor(options: {
  deps: ServiceDeps;
  adminId: string;
  purpose: 'signin' | 'stepup';
  credential: { kind: 'totp'; code: string } | { kind: 'webauthn'; challengeId: string | null; response: AuthenticationResponseJSON };
  signal?: AbortSignal;
}): Promise<AdminFactorOutcome> {
  const { deps, credential } = options;
  const system = await loadSystemApplication(deps);
  let presented: PresentedCredential;
  if (credential.kind === 'totp') {
    presented = { kind: 'totp', factorId: null, code: credential.code };
  } else {
    if (credential.challengeId === null) return { isAccepted: false, reason: 'no_challenge' };
    presented = { kind: 'webauthn', challengeId: credential.challengeId, response: credential.response };
  }
  let result;
  try {
    result = await verifyFactorForUser({
      deps,
      applicationId: system.id,
      externalUserId: adminExternalUserId(options.adminId),
      credential: presented,
      attemptId: `admin-${options.purpose}-${randomUUID()}`,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (error) {
    // No such factor / challenge: a refusal like any other to the caller (named in the audit row).
    if (error instanceof HoldfastError && error.category !== 'unavailable' && error.category !== 'internal') return { isAccepted: false, reason: error.code };
    throw error;
  }
  if (result.outcome !== 'accepted' || result.replayed || result.factorId === null) {
    return { isAccepted: false, reason: result.outcome === 'accepted' ? 'replay' : (result.reason ?? 'rejected') };
  }
  return { isAccepted: true, factorId: result.factorId, attemptId: result.attemptId };
}

/** A passkey ceremony for the admin's user (sign-in or step-up): the challenge is single use and bound to that user. */
export async function beginAdminWebauthn(options: {
  deps: ServiceDeps;
  adminId: string;
  signal?: AbortSignal;
}): Promise<{ challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }> {
  const system = await loadSystemApplication(options.deps);
  return beginWebauthnAuthentication({
    deps: options.deps,
    application: system,
    externalUserId: adminExternalUserId(options.adminId),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}
