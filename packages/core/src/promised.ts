/**
 * Runs synchronous work behind a promise-shaped API: its result resolves, and whatever it throws
 * rejects (never throws synchronously at the caller). For functions whose signature stays `Promise`
 * for their callers though the work no longer waits on anything (TOTP generation and checking).
 */
export function promised<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
