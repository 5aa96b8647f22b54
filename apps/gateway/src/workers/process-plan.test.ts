import { describe, expect, it } from 'vitest';
import { isDatabaseOnThisMachine, planProcesses } from './process-plan';

const local = ['postgresql://holdfast_gateway:pw@127.0.0.1:54329/holdfast'];
const remote = ['postgresql://holdfast_gateway:pw@db.internal:5432/holdfast'];

describe('[GATEWAY_PROCESS_PLAN] how many processes a gateway runs', () => {
  it('by default: a primary with its background process, one request worker per core, half the cores beside a local database', () => {
    expect(planProcesses({ configured: undefined, cores: 2, databaseUrls: remote })).toEqual({ requestWorkers: 2, hasPrimary: true });
    expect(planProcesses({ configured: undefined, cores: 8, databaseUrls: remote })).toEqual({ requestWorkers: 8, hasPrimary: true });
    // Two cores shared with Postgres: one request worker, and still the background process (sealing off the request loop).
    expect(planProcesses({ configured: undefined, cores: 2, databaseUrls: local })).toEqual({ requestWorkers: 1, hasPrimary: true });
    expect(planProcesses({ configured: undefined, cores: 8, databaseUrls: local })).toEqual({ requestWorkers: 4, hasPrimary: true });
    expect(planProcesses({ configured: undefined, cores: 3, databaseUrls: local })).toEqual({ requestWorkers: 1, hasPrimary: true });
    // One core: nothing to spread over.
    expect(planProcesses({ configured: undefined, cores: 1, databaseUrls: remote })).toEqual({ requestWorkers: 1, hasPrimary: false });
  });

  it('HOLDFAST_GATEWAY_WORKERS wins: 1 is a single process, more is a primary with that many', () => {
    expect(planProcesses({ configured: 1, cores: 8, databaseUrls: remote })).toEqual({ requestWorkers: 1, hasPrimary: false });
    expect(planProcesses({ configured: 2, cores: 2, databaseUrls: local })).toEqual({ requestWorkers: 2, hasPrimary: true });
    expect(planProcesses({ configured: 3, cores: 1, databaseUrls: remote })).toEqual({ requestWorkers: 3, hasPrimary: true });
  });

  it('a database is on this machine only when every URL names it: loopback or a Unix socket', () => {
    expect(isDatabaseOnThisMachine(local)).toBe(true);
    expect(isDatabaseOnThisMachine(['postgres://u@localhost/db'])).toBe(true);
    expect(isDatabaseOnThisMachine(['postgres://u@LOCALHOST:5432/db'])).toBe(true);
    expect(isDatabaseOnThisMachine(['postgres://u@[::1]:5432/db'])).toBe(true);
    expect(isDatabaseOnThisMachine(['postgres://u@127.0.0.53/db'])).toBe(true);
    expect(isDatabaseOnThisMachine(['postgresql:///holdfast?host=/var/run/postgresql'])).toBe(true);
    expect(isDatabaseOnThisMachine(['postgres://u@db.internal/db?host=/tmp'])).toBe(true);
    expect(isDatabaseOnThisMachine(remote)).toBe(false);
    expect(isDatabaseOnThisMachine(['postgres://u@10.0.0.5/db'])).toBe(false);
    expect(isDatabaseOnThisMachine(['postgres://u@127.0.0.1.example.com/db'])).toBe(false);
    expect(isDatabaseOnThisMachine(['postgres://u@[::2]/db'])).toBe(false);
    // A cluster with one node elsewhere: its traffic leaves the machine.
    expect(isDatabaseOnThisMachine([...local, ...remote])).toBe(false);
    expect(isDatabaseOnThisMachine([])).toBe(false);
    expect(isDatabaseOnThisMachine(['not a url'])).toBe(false);
  });
});
