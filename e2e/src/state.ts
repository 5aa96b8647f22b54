// What global setup started, handed to the specs (which run in worker processes) through one
// environment variable. This is the only place the e2e code reads the environment.

export interface E2eState {
  /** The web app, as the browser opens it (localhost, not 127.0.0.1). */
  webUrl: string;
  gatewayUrls: string[];
  databaseUrl: string;
  applicationId: string;
  apiKey: string;
  /** The push PWA, as the browser opens it (http://localhost:<port>). */
  pushUrl: string;
  /** The local Web Push service the gateways post to (https://127.0.0.1:<port>). */
  pushServiceOrigin: string;
  /** Its read API for the specs (src/push-service-api.ts). */
  pushServiceApiUrl: string;
  /** The admin console, as the browser opens it (http://localhost:<port>). */
  adminUrl: string;
  /** Stops and restarts the platform's gateways from a spec (src/gateway-control.ts). */
  gatewayControlUrl: string;
}

export const stateVariable = 'HOLDFAST_E2E_STATE';

function isState(value: unknown): value is E2eState {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.webUrl === 'string' &&
    Array.isArray(v.gatewayUrls) &&
    typeof v.databaseUrl === 'string' &&
    typeof v.applicationId === 'string' &&
    typeof v.apiKey === 'string' &&
    typeof v.pushUrl === 'string' &&
    typeof v.pushServiceOrigin === 'string' &&
    typeof v.pushServiceApiUrl === 'string' &&
    typeof v.adminUrl === 'string' &&
    typeof v.gatewayControlUrl === 'string'
  );
}

export function readState(): E2eState {
  const raw = process.env[stateVariable];
  const parsed: unknown = raw === undefined ? null : JSON.parse(raw);
  if (!isState(parsed)) throw new Error(`${stateVariable} is not set: run the specs through playwright.config.ts (its global setup starts the platform)`);
  return parsed;
}
