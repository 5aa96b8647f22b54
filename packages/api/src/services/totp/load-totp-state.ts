import { decryptSecret, type TotpParams } from '@holdfast/core';
import type { PrismaTx } from '@holdfast/db';
import type { ServiceDeps } from '../../deps';
import { totpSecretAad } from './begin-totp-enrollment';

export interface TotpState {
  secret: string;
  params: TotpParams;
  lastStep: number;
}

/** Reads and decrypts a factor's TOTP state; the only place the secret is selected. */
export async function loadTotpState(options: { deps: ServiceDeps; tx: PrismaTx; factorId: string }): Promise<TotpState | null> {
  const row = await options.tx.totpFactor.findUnique({
    where: { factorId: options.factorId },
    omit: { secretEnc: false },
  });
  if (row === null) return null;
  const secret = decryptSecret({ keyring: options.deps.keyring, envelope: row.secretEnc, aad: totpSecretAad(row.factorId) });
  // Digits are constrained to 6 or 8 at enrollment; anything else in the row is corruption.
  const digits = row.digits === 8 ? 8 : 6;
  return { secret, params: { algorithm: row.algorithm, digits, period: row.period }, lastStep: Number(row.lastStep) };
}
