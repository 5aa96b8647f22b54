// What a run measures against, embedded Postgres or the cluster alike.
import type { Keyring } from '@holdfast/core';
import type pg from 'pg';
import type { StartedServer } from './processes';
import type { UserSet } from './users';

/** What a run measures against: a database, an application with its API key, seeded users, a gateway (and the reference server). */
export interface BenchSetup {
  label: string;
  /** A direct pool for the floors (and seeding): the database's own capacity. */
  pool: pg.Pool;
  applicationId: string;
  apiKey: string;
  /** The gateways' keyring: seeded secrets are encrypted under it. */
  keyring: Keyring;
  users: UserSet;
  floorFactorIds: string[];
  gateway: StartedServer | { url: string; pid: number; how: string };
  reference: StartedServer | null;
  /**
   * (e) a second gateway on the same database with its audit sealer off
   * (HOLDFAST_AUDIT_SEAL_INTERVAL_MS=0), beside (d) which seals at the default interval; null when
   * the run cannot start one (the cluster's gateways are what they are).
   */
  gatewaySealOff: StartedServer | null;
  /** The Postgres server's main process (its backends are its children), for CPU per request; null for the cluster. */
  postgresPid: number | null;
  conditions: Record<string, string | number>;
  stop: () => Promise<void>;
}
