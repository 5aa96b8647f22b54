import type { FactorModule } from './factor-module';

/**
 * A paired push-approval device (issue 11): a WebCrypto P-256 key that never leaves the device,
 * plus number matching — the user types the number shown on the login screen, so a tired tap on
 * an attacker's push cannot approve it. It has no `evaluate` here: its decision is an answer to a
 * push transaction (push/push-transaction.ts `decidePushAnswer`), not a submitted code.
 */
export const pushFactor = {
  kind: 'push',
  // A device-bound key (proof of possession) with the relying app's password: AAL2.
  assuranceLevel: 'aal2',
  description: 'Push approval on a paired phone, with number matching and a device-signed answer',
  noun: 'push device',
  // RFC 8176: proof of possession of a software-secured key.
  amr: 'swk',
} as const satisfies FactorModule<'push'>;
