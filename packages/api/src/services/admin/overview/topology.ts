// Where the live failover map's sources are (issue 13). `npm run cluster` writes this JSON next to
// its state and passes its path to the gateways it starts (HOLDFAST_TOPOLOGY_FILE); without it a
// gateway knows only itself and its own database (npm start: topology 'single').
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

const httpUrl = z.url({ protocol: /^https?$/ });
const name = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/);

export const overviewTopologySchema = z.object({
  version: z.literal(1),
  topology: z.enum(['cluster', 'single']),
  regions: z
    .array(
      z.object({
        name,
        /** Patroni's REST API per node (read-only endpoints: /patroni, /cluster, /history). */
        patroni: z.array(z.object({ name, url: httpUrl })).default([]),
        /** etcd's client URL per member (/health, /v3/maintenance/status). */
        etcd: z.array(z.object({ name, url: httpUrl })).default([]),
        /**
         * Each HAProxy: the write listener's address, and its stats page when it has one (CSV via
         * `<statsUrl>;csv`), which says which server is up behind the write listener.
         */
        haproxy: z
          .array(
            z.object({
              name,
              host: z.string().min(1),
              port: z.number().int().min(1).max(65535),
              listener: z.string().min(1).optional(),
              statsUrl: httpUrl.optional(),
            }),
          )
          .default([]),
        gateways: z.array(z.object({ id: name, url: httpUrl })).default([]),
      }),
    )
    .min(1),
});

export type OverviewTopology = z.infer<typeof overviewTopologySchema>;
export type OverviewRegionTopology = OverviewTopology['regions'][number];

/** npm start: this gateway alone, in its own region, with its database seen through its /readyz. */
export function singleGatewayTopology(self: { gatewayId: string; region: string; url: string }): OverviewTopology {
  return {
    version: 1,
    topology: 'single',
    regions: [{ name: self.region, patroni: [], etcd: [], haproxy: [], gateways: [{ id: self.gatewayId, url: self.url }] }],
  };
}

/** Reads and validates the topology file; a bad file is an error at start, not a silent single-region map. */
export async function readOverviewTopologyFile(file: string): Promise<OverviewTopology> {
  const text = await readFile(file, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`topology file ${file} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = overviewTopologySchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`topology file ${file} is invalid: ${problems}`);
  }
  return parsed.data;
}
