import { decryptSecret, totpSecretAad, type TotpParams } from '@holdfast/core';
import type { PrismaTx } from '@holdfast/db';
import type { ServiceDeps } from '../../deps';

export interface TotpState {
  secret: string;
  params: TotpParams;
  lastStep: number;
}

/** Decrypts a factor's stored TOTP state (the secret is bound to its factor id as AAD). */
export function decryptTotpState(options: {
  deps: ServiceDeps;
  factorId: string;
  stored: { secretEnc: string; algorithm: TotpParams['algorithm']; digits: number; period: number; lastStep: number };
}): TotpState {
  const { stored } = options;
  const secret = decryptSecret({ keyring: options.deps.keyring, envelope: stored.secretEnc, aad: totpSecretAad(options.factorId) });
  // Digits are constrained to 6 or 8 at enrollment; anything else in the row is corruption.
  const digits = stored.digits === 8 ? 8 : 6;
  return { secret, params: { algorithm: stored.algorithm, digits, period: stored.period }, lastStep: stored.lastStep };
}

/** Reads and decrypts a factor's TOTP state through Prisma (enrollment path). */
export async function loadTotpState(options: { deps: ServiceDeps; tx: PrismaTx; factorId: string }): Promise<TotpState | null> {
  const row = await options.tx.totpFactor.findUnique({ where: { factorId: options.factorId }, omit: { secretEnc: false } });
  if (row === null) return null;
  return decryptTotpState({ deps: options.deps, factorId: row.factorId, stored: { ...row, lastStep: Number(row.lastStep) } });
}
