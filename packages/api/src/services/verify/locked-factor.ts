import type { TotpAlgorithm } from '@holdfast/core';
import type { FactorStatus } from '@holdfast/validators';

/** The factor being verified, locked `FOR UPDATE` for the transaction, with its TOTP state if any. */
export interface LockedFactor {
  userId: string;
  id: string;
  status: FactorStatus;
  failedCount: number;
  lockedUntil: Date | null;
  totp: { secretEnc: string; algorithm: TotpAlgorithm; digits: number; period: number; lastStep: number } | null;
  webauthn: { credentialId: Buffer; publicKey: Buffer; signCount: number; transports: string[] } | null;
}

/** The TOTP and WebAuthn columns both write paths read with a factor (LEFT JOINs: null when absent). */
export interface FactorSecretColumns {
  secret_enc: string | null;
  algorithm: TotpAlgorithm | null;
  digits: number | null;
  period: number | null;
  last_step: string | null;
  credential_id: Buffer | null;
  public_key: Buffer | null;
  sign_count: string | null;
  transports: string[] | null;
}

/** Those columns as the factor's TOTP and WebAuthn state. */
export function factorSecretsOf(row: FactorSecretColumns): Pick<LockedFactor, 'totp' | 'webauthn'> {
  return {
    totp:
      row.secret_enc === null || row.algorithm === null || row.digits === null || row.period === null || row.last_step === null
        ? null
        : { secretEnc: row.secret_enc, algorithm: row.algorithm, digits: row.digits, period: row.period, lastStep: Number(row.last_step) },
    webauthn:
      row.credential_id === null || row.public_key === null || row.sign_count === null
        ? null
        : { credentialId: row.credential_id, publicKey: row.public_key, signCount: Number(row.sign_count), transports: row.transports ?? [] },
  };
}
