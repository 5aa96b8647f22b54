/**
 * Friendly names for a few well-known authenticator models, by AAGUID (the model id an
 * authenticator reports at registration), so the portal can say "iCloud Keychain" instead of a
 * GUID. Unknown models — and authenticators that report the all-zero AAGUID — get null.
 */
const namesByAaguid: Readonly<Record<string, string>> = {
  // Chromium's CDP / WebDriver virtual authenticator (device/fido/virtual_ctap2_device.cc).
  '01020304-0506-0708-0102-030405060708': 'Chromium virtual authenticator',
  'ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4': 'Google Password Manager',
  'adce0002-35bc-c60a-648b-0b25f1f05503': 'Chrome on Mac',
  'fbfc3007-154e-4ecc-8c0b-6e020557d7bd': 'iCloud Keychain',
  '08987058-cadc-4b81-b6e1-30de50dcbe96': 'Windows Hello',
  'bada5566-a7aa-401f-bd96-45619a55120d': '1Password',
  'd548826e-79b4-db40-a3d8-11116f7e8349': 'Bitwarden',
};

export function authenticatorNameFor(aaguid: string): string | null {
  return namesByAaguid[aaguid.toLowerCase()] ?? null;
}
