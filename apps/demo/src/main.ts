// `node apps/demo/dist/main.js`: the demo relying application as a process (npm start runs it).
// Configuration comes from env.ts; SIGTERM/SIGINT close the server and the SDK's probes.
import { createHoldfastClient } from '@holdfast/sdk';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createDemoApp } from './app';
import { readDemoEnv } from './env';
import { openPasswordStore } from './password-store';
import { SessionStore } from './sessions';

const env = readDemoEnv();
await mkdir(env.HOLDFAST_DEMO_STATE_DIR, { recursive: true, mode: 0o700 });
const passwords = await openPasswordStore({ file: path.join(env.HOLDFAST_DEMO_STATE_DIR, 'demo-users.json') });
if (env.HOLDFAST_DEMO_SEED_USER !== undefined && env.HOLDFAST_DEMO_SEED_PASSWORD !== undefined) {
  await passwords.upsert(env.HOLDFAST_DEMO_SEED_USER, env.HOLDFAST_DEMO_SEED_PASSWORD);
}
const holdfast = createHoldfastClient({ gateways: env.HOLDFAST_GATEWAY_URLS, apiKey: env.HOLDFAST_API_KEY });
const sessions = new SessionStore();
const app = createDemoApp({ holdfast, passwords, sessions, publicUrl: env.HOLDFAST_DEMO_PUBLIC_URL, portalUrl: env.HOLDFAST_PORTAL_URL });

const server = app.listen(env.HOLDFAST_DEMO_PORT, env.HOLDFAST_DEMO_HOST, (error?: Error) => {
  if (error !== undefined) {
    console.error(`demo: cannot listen on ${env.HOLDFAST_DEMO_HOST}:${env.HOLDFAST_DEMO_PORT}: ${error.message}`);
    process.exit(1);
  }
  console.log(`demo: listening on http://${env.HOLDFAST_DEMO_HOST}:${env.HOLDFAST_DEMO_PORT} (open ${env.HOLDFAST_DEMO_PUBLIC_URL})`);
});

// Ctrl-C in a terminal reaches this process directly and via the launcher's SIGTERM: close once.
let isClosing = false;
const shutdown = (): void => {
  if (isClosing) return;
  isClosing = true;
  holdfast.close();
  sessions.close();
  // Keep-alive connections would hold close() open: the browser's idle sockets are ended too.
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
