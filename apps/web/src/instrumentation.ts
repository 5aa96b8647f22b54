// Runs once when the server starts: a configuration env.ts refuses (a public URL outside localhost
// without https or without a session secret, or none at all under `next start`) stops the start
// with its message, instead of failing every request later.
import { webEnv } from './env';

export function register(): void {
  webEnv();
}
