export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

export interface TotpParams {
  algorithm: TotpAlgorithm;
  digits: 6 | 8;
  /** Seconds per time step. */
  period: number;
}

/** The parameters every mainstream authenticator app supports; anything else risks silent mismatch. */
export const defaultTotpParams: TotpParams = { algorithm: 'SHA1', digits: 6, period: 30 };

/** RFC 6238 §5.1 / RFC 4226 §4: the key should be as long as the HMAC output. */
export const totpSecretBytes: Readonly<Record<TotpAlgorithm, number>> = {
  SHA1: 20,
  SHA256: 32,
  SHA512: 64,
};
