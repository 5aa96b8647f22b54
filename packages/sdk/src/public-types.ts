// The shapes of the SDK's public API that come from the server, written out rather than derived
// from its router: the published `.d.ts` must not reach into @holdfast/api (its router type drags
// in the gateway's context, database and domain types). `router-contract.ts` checks at typecheck time
// that each one is exactly what the router accepts or returns, so they cannot drift apart.
// The begin results carry @simplewebauthn's options JSON exactly as the gateway built it; tRPC's
// client would type it as its serialized form (buffer-typed extension inputs degraded), so the SDK
// names it by the interface the browser library's `startAuthentication`/`startRegistration` take.
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import type { AssuranceLevel, FactorKind } from '@holdfast/validators';

export type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON };

/** `preauth`: which factors the user can verify with, or `enroll` when none is active (or the user is unknown). */
export type PreauthResult =
  | {
      result: 'auth';
      factors: {
        id: string;
        kind: FactorKind;
        label: string;
        isLocked: boolean;
        remainingCodes: number | null;
        /** WebAuthn only: the authenticator model's name when it is a well-known one. */
        authenticatorName: string | null;
        /** NIST 800-63B level this factor reaches together with the application's password check. */
        assuranceLevel: AssuranceLevel;
      }[];
    }
  | { result: 'enroll' };

/** The browser's assertion (`startAuthentication` from @simplewebauthn/browser, or your own JSON of the same shape). */
export interface WebauthnAuthenticationResponse {
  id: string;
  rawId: string;
  type: 'public-key';
  authenticatorAttachment?: 'platform' | 'cross-platform' | undefined;
  clientExtensionResults: Record<string, unknown>;
  response: {
    clientDataJSON: string;
    authenticatorData: string;
    signature: string;
    userHandle?: string | undefined;
  };
}

/** The browser's attestation (`startRegistration` from @simplewebauthn/browser). */
export interface WebauthnRegistrationResponse {
  id: string;
  rawId: string;
  type: 'public-key';
  authenticatorAttachment?: 'platform' | 'cross-platform' | undefined;
  clientExtensionResults: Record<string, unknown>;
  response: {
    clientDataJSON: string;
    attestationObject: string;
    authenticatorData?: string | undefined;
    transports?: string[] | undefined;
    publicKeyAlgorithm?: number | undefined;
    publicKey?: string | undefined;
  };
}

/** `options` go to the browser's `startAuthentication({ optionsJSON })`; `challengeId` to `webauthnFinish` (or `stepUpWebauthnFinish`). */
export interface WebauthnBeginResult {
  challengeId: string;
  options: PublicKeyCredentialRequestOptionsJSON;
}

/** `options` go to the browser's `startRegistration({ optionsJSON })`; `challengeId` to `finishWebauthnRegistration`. */
export interface WebauthnRegistrationBeginResult {
  challengeId: string;
  options: PublicKeyCredentialCreationOptionsJSON;
}

/** Push approval: what the push was about, shown on the user's phone (all optional, your claims). */
export interface PushContext {
  ipAddress?: string | undefined;
  /** Approximate, as you resolved it ("Lisbon, PT"). */
  location?: string | undefined;
  /** "Firefox on Linux". */
  browser?: string | undefined;
}

/** `pending → approved | denied | expired`, nothing else. */
export type PushTransactionStatus = 'pending' | 'approved' | 'denied' | 'expired';

/** `pushBegin`: show `number` on the login screen; the user types it on their phone. */
export interface PushBeginResult {
  transactionId: string;
  number: string;
  /** ISO 8601. */
  expiresAt: string;
  status: PushTransactionStatus;
  /** Devices a Web Push was addressed to (0: the user must open the app, which lists pending pushes). */
  deviceCount: number;
  /** The attempt id was seen before: this is that transaction, as it is now. */
  replayed: boolean;
}

/** `pushStatus`: the transaction as it is now (a pending one past its expiry is `expired`). */
export interface PushStatusResult {
  transactionId: string;
  status: PushTransactionStatus;
  /** approved | denied_by_user | fraud_reported | wrong_number | expired; null while pending. */
  reason: string | null;
  /** ISO 8601. */
  expiresAt: string;
  /** ISO 8601; null while pending. */
  decidedAt: string | null;
}
