import type { LockoutOverrides } from './services/verify/lockout-policy';
import type { Clock, Keyring, LockoutPolicy, RandomSource } from '@holdfast/core';
import type { Database, DatabaseRetryReport, SpooledAuditEvent } from '@holdfast/db';
import type { MetadataCache } from './cache/metadata-cache';
import type { PushStatusSignals } from './services/push/push-status-signals';
import type { AuditStreamSignals } from './services/audit-log/audit-stream-signals';
import type { OverviewSourceHandle } from './services/admin/overview/collector';

/** Everything the services need, built once per gateway process and shared by every request. */
export interface ServiceDeps {
  db: Database;
  gateway: { id: string; region: string };
  keyring: Keyring;
  random: RandomSource;
  clock: Clock;
  lockoutPolicy: LockoutPolicy;
  /** Accepted TOTP clock skew, in time steps either side of now. */
  totpWindow: number;
  /** Base URL of the enrollment portal, used to build enrollment links. */
  publicUrl: string;
  /** Issuer shown in authenticator apps. */
  issuer: string;
  /** How long one request may keep retrying the database while it fails over. */
  requestDeadlineMs: number;
  /** Metadata cache kept correct by LISTEN/NOTIFY (absent: every read goes to the database). */
  cache?: MetadataCache;
  /** Told when a request needed database retries (how many, which errors, how long); must not throw. */
  onRetried?: (event: DatabaseRetryReport) => void;
  /** Told about every finished procedure call (the gateway's metrics); must not throw. */
  observe?: (event: { procedure: string; outcome: string; seconds: number }) => void;
  /** Wakes push long-polls on a status change anywhere (fed by the listener; absent: they re-read every 250 ms). */
  pushSignals?: PushStatusSignals;
  /** Wakes live audit streams when a checkpoint is sealed anywhere (fed by the listener; absent: they re-read every second). */
  auditSignals?: AuditStreamSignals;
  /** Push approval settings (absent: `defaultPushSettings`). */
  push?: PushSettings;
  /**
   * The gateway's outage spool (issue 12): where an event written on its own goes when the database
   * cannot take it, to be replayed later (absent: such an event is lost, as before). `append`
   * resolves once the event is on disk (or counted as dropped) and never rejects.
   */
  auditSpool?: { append: (event: SpooledAuditEvent) => Promise<void> };
  /** The live failover map's collector (issue 13; absent: admin.overview answers INTERNAL). Never uses `db`. */
  overview?: OverviewSourceHandle;
  /** This gateway's sealed-log history alarm (issue 12), for admin.audit.status (absent: reported as false). */
  auditHistoryRewritten?: () => boolean;
}

/** Push approval (issue 11): where the PWA lives, and where this deployment may send Web Push. */
export interface PushSettings {
  /** The push PWA's origin: the pairing link's origin and the audience every device signature names. */
  publicUrl: string;
  /** VAPID `sub` claim (RFC 8292): a mailto: or https: contact for push services. */
  vapidSubject: string;
  /**
   * host[:port] patterns a subscription endpoint may point at (`*.` = any subdomain). The gateway
   * POSTs to a URL a device gave it: without this list, pairing would be a server-side request forgery.
   */
  serviceHosts: readonly string[];
  /** Extra CA certificates (PEM) trusted for push services: a test's local push service. */
  ca?: string;
}

export const defaultPushSettings: PushSettings = {
  publicUrl: 'http://localhost:3002',
  vapidSubject: 'mailto:security@holdfast.invalid',
  serviceHosts: ['fcm.googleapis.com', 'updates.push.services.mozilla.com', '*.notify.windows.com', 'web.push.apple.com'],
};

/** The relying application a request was authenticated as. */
export interface ApplicationPrincipal {
  id: string;
  name: string;
  failMode: 'secure' | 'safe';
  /**
   * The application's lockout overrides, when the caller read them with the application (the API
   * key's cached row does): then the verification needs no lookup of its own.
   */
  lockout?: LockoutOverrides;
}

/** An end user holding a redeemed enrollment link. */
export interface EnrollmentPrincipal {
  linkId: string;
  applicationId: string;
  userId: string;
  externalUserId: string;
}
