// WebAuthn in the browser tests: Chromium's virtual authenticator over CDP (no hardware, no UI),
// and `navigator.credentials.get` run in the portal's page, as a relying application's own login
// page would, with the options a gateway issued (base64url ↔ ArrayBuffer converted here).
import type { WebauthnAuthenticationResponse, WebauthnBeginResult } from '@holdfast/sdk';
import type { CDPSession, Page } from '@playwright/test';

export interface VirtualAuthenticator {
  cdp: CDPSession;
  authenticatorId: string;
  setUserVerified: (isUserVerified: boolean) => Promise<void>;
}

/** A platform authenticator with user verification (fingerprint/PIN) that always succeeds, until told otherwise. */
export async function addVirtualAuthenticator(page: Page): Promise<VirtualAuthenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    cdp,
    authenticatorId,
    setUserVerified: async (isUserVerified) => {
      await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified });
    },
  };
}

/**
 * Runs `navigator.credentials.get` in the page with a gateway's options and returns the assertion
 * as JSON. `userVerification` may be overridden, as a careless or hostile client could.
 */
export async function getAssertion(
  page: Page,
  options: WebauthnBeginResult['options'],
  overrides: { userVerification?: 'required' | 'preferred' | 'discouraged' } = {},
): Promise<WebauthnAuthenticationResponse> {
  const request = {
    challenge: options.challenge,
    rpId: options.rpId ?? 'localhost',
    userVerification: overrides.userVerification ?? options.userVerification ?? 'preferred',
    allowCredentials: (options.allowCredentials ?? []).map((credential) => ({ id: credential.id, transports: credential.transports ?? [] })),
  };
  return page.evaluate(async (input) => {
    const fromBase64url = (text: string): Uint8Array<ArrayBuffer> => {
      const base64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
      return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    };
    const toBase64url = (buffer: ArrayBuffer): string =>
      btoa(String.fromCharCode(...new Uint8Array(buffer)))
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
        .replace(/=+$/, '');
    const credential = await navigator.credentials.get({
      publicKey: {
        challenge: fromBase64url(input.challenge),
        rpId: input.rpId,
        userVerification: input.userVerification,
        allowCredentials: input.allowCredentials.map((allowed) => ({
          type: 'public-key' as const,
          id: fromBase64url(allowed.id),
          transports: allowed.transports as AuthenticatorTransport[],
        })),
      },
    });
    if (!(credential instanceof PublicKeyCredential) || !(credential.response instanceof AuthenticatorAssertionResponse)) throw new Error('no assertion');
    const { response } = credential;
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: 'public-key' as const,
      clientExtensionResults: {},
      response: {
        clientDataJSON: toBase64url(response.clientDataJSON),
        authenticatorData: toBase64url(response.authenticatorData),
        signature: toBase64url(response.signature),
        ...(response.userHandle === null ? {} : { userHandle: toBase64url(response.userHandle) }),
      },
    };
  }, request);
}
