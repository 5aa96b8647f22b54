// A WebAuthn authenticator in software (ES256, "none" attestation) for integration tests that run
// without a browser: it builds the same JSON @simplewebauthn/browser hands to a relying party, from
// the options a gateway issued, with the flags and counter a test chooses.
import { isoBase64URL, isoCBOR } from '@simplewebauthn/server/helpers';
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

const flagUserPresent = 0x01;
const flagUserVerified = 0x04;
const flagBackupEligible = 0x08;
const flagAttestedData = 0x40;

function sha256(data: Uint8Array | string): Buffer {
  return createHash('sha256').update(data).digest();
}

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

export interface RegistrationJson {
  id: string;
  rawId: string;
  type: 'public-key';
  clientExtensionResults: Record<string, never>;
  response: { clientDataJSON: string; attestationObject: string; transports: ('usb' | 'internal')[] };
}

export interface AssertionJson {
  id: string;
  rawId: string;
  type: 'public-key';
  clientExtensionResults: Record<string, never>;
  response: { clientDataJSON: string; authenticatorData: string; signature: string };
}

export function createSoftwareAuthenticator(options: { origin?: string; rpId?: string; aaguid?: string; backupEligible?: boolean } = {}) {
  const backupEligibleFlag = options.backupEligible === true ? flagBackupEligible : 0;
  const origin = options.origin ?? 'http://localhost:3000';
  const rpId = options.rpId ?? 'localhost';
  const aaguid = Buffer.from((options.aaguid ?? '00000000-0000-0000-0000-000000000000').replace(/-/g, ''), 'hex');
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const credentialId = randomBytes(16);
  let counter = 0;

  function authenticatorData(flags: number, signCount: number, attested?: Buffer): Buffer {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(signCount);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, ...(attested === undefined ? [] : [attested])]);
  }

  return {
    credentialId: b64url(credentialId),
    /** The attestation for `navigator.credentials.create` with these options. */
    register(input: { challenge: string; isUserVerified?: boolean; origin?: string }): RegistrationJson {
      const cosePublicKey = isoCBOR.encode(
        new Map<number, number | Uint8Array>([
          [1, 2], // kty: EC2
          [3, -7], // alg: ES256
          [-1, 1], // crv: P-256
          [-2, isoBase64URL.toBuffer(jwk.x ?? '')],
          [-3, isoBase64URL.toBuffer(jwk.y ?? '')],
        ]),
      );
      const idLength = Buffer.alloc(2);
      idLength.writeUInt16BE(credentialId.length);
      const flags = flagUserPresent | flagAttestedData | backupEligibleFlag | (input.isUserVerified === false ? 0 : flagUserVerified);
      const authData = authenticatorData(flags, counter, Buffer.concat([aaguid, idLength, credentialId, Buffer.from(cosePublicKey)]));
      const clientDataJSON = JSON.stringify({ type: 'webauthn.create', challenge: input.challenge, origin: input.origin ?? origin, crossOrigin: false });
      const attestationObject = isoCBOR.encode(
        new Map<string, string | Uint8Array | Map<string, string>>([
          ['fmt', 'none'],
          ['attStmt', new Map<string, string>()],
          ['authData', new Uint8Array(authData)],
        ]),
      );
      return {
        id: b64url(credentialId),
        rawId: b64url(credentialId),
        type: 'public-key',
        clientExtensionResults: {},
        response: { clientDataJSON: b64url(Buffer.from(clientDataJSON)), attestationObject: b64url(attestationObject), transports: ['usb'] },
      };
    },
    /**
     * An assertion for `navigator.credentials.get`. The counter goes up by one each time unless the
     * test sets it (to play a cloned authenticator); `type` can be forced to test ceremony binding.
     */
    authenticate(input: {
      challenge: string;
      isUserVerified?: boolean;
      origin?: string;
      signCount?: number;
      type?: 'webauthn.get' | 'webauthn.create';
      /** Overrides the backup-eligible flag set at creation (it must never change). */
      backupEligible?: boolean;
    }): AssertionJson {
      counter = input.signCount ?? counter + 1;
      const beFlag = input.backupEligible === undefined ? backupEligibleFlag : input.backupEligible ? flagBackupEligible : 0;
      const authData = authenticatorData(flagUserPresent | beFlag | (input.isUserVerified === false ? 0 : flagUserVerified), counter);
      const clientDataJSON = Buffer.from(
        JSON.stringify({ type: input.type ?? 'webauthn.get', challenge: input.challenge, origin: input.origin ?? origin, crossOrigin: false }),
      );
      const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), privateKey);
      return {
        id: b64url(credentialId),
        rawId: b64url(credentialId),
        type: 'public-key',
        clientExtensionResults: {},
        response: { clientDataJSON: b64url(clientDataJSON), authenticatorData: b64url(authData), signature: b64url(signature) },
      };
    },
  };
}
