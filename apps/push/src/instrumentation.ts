// Runs once when the server starts: a configuration env.ts refuses (no gateway list, an http public
// URL outside localhost) stops the start with its message instead of failing every request later.
import { pushEnv } from './env';

export function register(): void {
  pushEnv();
}
