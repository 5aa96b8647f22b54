// etcd's client API (issue 13's live map): GET /health ({"health":"true"}; 503 when the member
// has no quorum) and POST /v3/maintenance/status (the gRPC gateway: this member's id and the
// leader's id, as decimal strings — equal on the leader).
import { z } from 'zod';

const healthSchema = z.object({ health: z.union([z.string(), z.boolean()]) });
const statusSchema = z.object({ header: z.object({ member_id: z.string() }), leader: z.string() });

export function parseEtcdHealth(body: unknown): boolean | null {
  const parsed = healthSchema.safeParse(body);
  if (!parsed.success) return null;
  return parsed.data.health === true || parsed.data.health === 'true';
}

export function parseEtcdIsLeader(body: unknown): boolean | null {
  const parsed = statusSchema.safeParse(body);
  if (!parsed.success) return null;
  return parsed.data.header.member_id === parsed.data.leader;
}
