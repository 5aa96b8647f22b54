/**
 * The signature-counter rule of WebAuthn §7.2 step 21 (Verifying an Authentication Assertion):
 * when either the stored or the received counter is non-zero, the received one must be greater.
 * Otherwise two authenticators may hold the same private key (a cloned credential) — or this is an
 * old assertion played again. Authenticators that keep no counter report 0 every time, which is
 * not suspicious.
 */
export function isSignCountSuspicious(options: { stored: number; received: number }): boolean {
  const { stored, received } = options;
  return (stored !== 0 || received !== 0) && received <= stored;
}
