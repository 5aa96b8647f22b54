import type { TotpParams } from './totp-params';

/**
 * The Key URI Format authenticator apps scan from a QR code. Built by hand rather than with
 * otplib's `generateURI` because that omits default parameters (some apps then guess wrong) and
 * leaves a `:` inside the issuer unescaped in the label, which splits the label in the wrong place.
 * `encodeURIComponent` (not URLSearchParams) so spaces become %20: several apps show a literal `+`.
 */
export function buildOtpauthUri({ issuer, accountName, secret, params }: { issuer: string; accountName: string; secret: string; params: TotpParams }): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(accountName)}`;
  const fields: [string, string][] = [
    ['secret', secret],
    ['issuer', issuer],
    ['algorithm', params.algorithm],
    ['digits', String(params.digits)],
    ['period', String(params.period)],
  ];
  const query = fields.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join('&');
  return `otpauth://totp/${label}?${query}`;
}
