import { decryptSecret, encryptSecret, readRandomBytes, type Keyring, type RandomSource } from '@holdfast/core';

/** `whsec_` + 32 random bytes, base64url: the prefix makes a leaked secret easy to find by scanners. */
const secretPrefix = 'whsec_';
const secretBytes = 32;

export function generateWebhookSecret(random: RandomSource): string {
  return secretPrefix + Buffer.from(readRandomBytes({ random, size: secretBytes })).toString('base64url');
}

/** Binds the ciphertext to its application (invariant 6): copied onto another application's row, it does not decrypt. */
function webhookSecretAad(applicationId: string): string {
  return `webhook:${applicationId}`;
}

export function encryptWebhookSecret(options: { keyring: Keyring; random: RandomSource; applicationId: string; secret: string }): string {
  return encryptSecret({ keyring: options.keyring, random: options.random, plaintext: options.secret, aad: webhookSecretAad(options.applicationId) });
}

export function decryptWebhookSecret(options: { keyring: Keyring; applicationId: string; envelope: string }): string {
  return decryptSecret({ keyring: options.keyring, envelope: options.envelope, aad: webhookSecretAad(options.applicationId) });
}
