// How every console page reads from the gateways while it renders (on the server): an ended
// session leaves the page for /session-ended; any other failure becomes a code the page says in
// words (messages.ts, audit/problems.ts) instead of an error page. Errors the gateway did not send
// are logged by name only: an answer may hold a secret shown once.
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { GatewayError } from './gateway';
import { sessionEndedPath } from './session';

export type PageRead<T> = { value: T; problem: null } | { value: null; problem: string; retryAfterSeconds: number | null };

/** Runs `read`; `what` names it in the log ("loading users"). */
export async function readForPage<T>(what: string, read: () => Promise<T>): Promise<PageRead<T>> {
  try {
    return { value: await read(), problem: null };
  } catch (error) {
    if (error instanceof GatewayError) {
      if (error.code === 'ADMIN_SESSION_INVALID') redirect(sessionEndedPath);
      return { value: null, problem: error.code, retryAfterSeconds: error.retryAfterSeconds };
    }
    // The console's own input check (validators schemas) refused before anything was sent.
    if (error instanceof z.ZodError) return { value: null, problem: 'BAD_REQUEST', retryAfterSeconds: null };
    console.error(`holdfast admin: ${what} failed:`, error instanceof Error ? error.name : 'unknown error');
    return { value: null, problem: 'INTERNAL', retryAfterSeconds: null };
  }
}
