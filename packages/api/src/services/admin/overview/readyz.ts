// A gateway's /readyz body (apps/gateway/src/server.ts): 200 when ready, 503 with the same JSON
// when not — either way the gateway answered. Details are optional: older gateways lack them.
import { z } from 'zod';

const readyzSchema = z.object({
  ready: z.boolean(),
  gatewayId: z.string().optional(),
  region: z.string().optional(),
  database: z.object({ ok: z.boolean() }).optional(),
  canary: z
    .object({ ok: z.boolean(), ageMs: z.number().nullable(), latencyMs: z.number().nullable(), error: z.string().nullable().optional() })
    .nullable()
    .optional(),
  audit: z.object({ alarm: z.string().nullable() }).partial().optional(),
  auditSpool: z.object({ events: z.number() }).partial().optional(),
});

export interface GatewayReadiness {
  ready: boolean;
  databaseOk: boolean | null;
  canaryLatencyMs: number | null;
  canaryAgeMs: number | null;
  auditSpoolEvents: number | null;
  historyRewritten: boolean;
}

export function parseGatewayReadyz(body: unknown): GatewayReadiness | null {
  const parsed = readyzSchema.safeParse(body);
  if (!parsed.success) return null;
  const r = parsed.data;
  return {
    ready: r.ready,
    databaseOk: r.database?.ok ?? null,
    canaryLatencyMs: r.canary?.latencyMs ?? null,
    canaryAgeMs: r.canary?.ageMs ?? null,
    auditSpoolEvents: r.auditSpool?.events ?? null,
    historyRewritten: r.audit?.alarm === 'history_rewritten',
  };
}
