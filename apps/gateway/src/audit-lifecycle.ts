import { writeStandaloneAuditEvent, type ServiceDeps } from '@holdfast/api';
import type { AuditEventType } from '@holdfast/core';

/**
 * The gateway's own events in the audit trail (issue 12: "503s, refused logins, gateway lifecycle"
 * must survive an outage): each worker's start and stop, and a summary of the requests it refused
 * before the router ran (admission queue full, flood shield) — one event per 10 s of shedding, not
 * one per request, so an overload cannot flood the trail or the outage spool it falls back to.
 * Written on their own (writeStandaloneAuditEvent): with no database they wait in the spool.
 */
export interface GatewayLifecycleAudit {
  started: (detail: { url: string }) => Promise<void>;
  shed: (shed: { overloaded: number; rateLimited: number }) => void;
  stopped: () => Promise<void>;
}

export function gatewayLifecycleAudit(deps: ServiceDeps, worker: number | null): GatewayLifecycleAudit {
  const write = (type: AuditEventType, detail: Record<string, unknown>): Promise<void> =>
    writeStandaloneAuditEvent({
      deps,
      db: deps.db.pool,
      event: { type, gatewayId: deps.gateway.id, region: deps.gateway.region, detail: { worker, pid: process.pid, ...detail } },
    });
  return {
    started: ({ url }) => write('gateway.started', { url }),
    shed: ({ overloaded, rateLimited }) => {
      void write('gateway.load_shed', { overloaded, rateLimited, windowSeconds: 10 });
    },
    stopped: () => write('gateway.stopped', {}),
  };
}
