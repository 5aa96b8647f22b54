/** A base32 TOTP secret in groups of four, easier to read aloud and type: `JBSW Y3DP EHPK 3PXP`. */
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

/** The text of the recovery-codes download: what they are, then one code per line. */
export function recoveryCodesFile(options: { codes: readonly string[]; generatedAt: Date }): string {
  return [
    'Holdfast recovery codes',
    `Generated ${options.generatedAt.toISOString()}`,
    'Each code works once. Keep them somewhere safe; generating new codes cancels these.',
    '',
    ...options.codes,
    '',
  ].join('\n');
}

const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

/** Dates shown in the portal: the same on server and client (UTC), so hydration never disagrees. */
export function formatDate(iso: string | null): string {
  return iso === null ? 'never' : `${dateFormat.format(new Date(iso))} UTC`;
}
