/**
 * An error line (role=alert: announced at once) and a status line (role=status: announced
 * politely). Both always stay in the document — a live region that appears with its text is often
 * not announced — and only their text changes.
 */
export function FormMessages({ errorId, error, status = '' }: { errorId: string; error: string | null; status?: string }) {
  return (
    <>
      <p id={errorId} role="alert" className="error">
        {error}
      </p>
      <p role="status" className="status">
        {status}
      </p>
    </>
  );
}

/** The browser's error name (a DOMException's, kept by @simplewebauthn/browser's WebAuthnError). */
export function browserErrorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}
