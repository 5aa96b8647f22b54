// Runs once when the server starts: a configuration env.ts refuses (no public URL under
// `next start`, http or no session secret outside localhost) stops the start with its message,
// instead of failing every request later.
import { adminEnv } from './env';

export function register(): void {
  adminEnv();
}
