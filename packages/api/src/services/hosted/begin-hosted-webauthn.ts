import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { ServiceDeps } from '../../deps';
import { beginWebauthnAuthentication } from '../webauthn/begin-webauthn-authentication';
import { findOpenTransaction } from './find-open-transaction';

/** A WebAuthn login challenge for the transaction's user, issued exactly as for an application's own login page. */
export async function beginHostedWebauthn(options: {
  deps: ServiceDeps;
  token: string;
  signal?: AbortSignal;
}): Promise<{ challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }> {
  const transaction = await findOpenTransaction({ ...options, kind: 'webauthn' });
  return beginWebauthnAuthentication({
    deps: options.deps,
    application: transaction.application,
    externalUserId: transaction.externalUserId,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}
