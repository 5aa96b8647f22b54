/** A base32 TOTP secret in groups of four, easier to read and type: `JBSW Y3DP EHPK 3PXP`. */
export function groupSecret(secret: string): string {
  return (
    secret
      .replace(/\s+/g, '')
      .match(/.{1,4}/g)
      ?.join(' ') ?? ''
  );
}

/** Keeps only the digits a person typed (spaces and dashes from copy-paste are common). */
export { stripCodeSeparators as normalizeCode } from '@holdfast/validators';

const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' });

/** Times shown in the console: the same on server and client (UTC), so hydration never disagrees. */
export function formatTime(iso: string | null): string {
  return iso === null ? 'unknown' : `${dateFormat.format(new Date(iso))} UTC`;
}
