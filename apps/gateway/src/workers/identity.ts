// Which worker of its gateway this process is. Set once at start by runWorker (from the slot the
// primary gave it); read by the canary and the response header. Slots are stable across restarts
// (a restarted worker takes the dead one's slot), so a gateway has at most N canary users however
// often its workers die.
let slot: number | null = null;

export function setWorkerSlot(value: number): void {
  slot = value;
}

/** 1…N under the cluster primary; null when the gateway runs in one process. */
export function workerSlot(): number | null {
  return slot;
}

/**
 * The canary's user: one per worker. The canary's TOTP has a 1-s period and every code is single
 * use (invariant 1), so two workers logging in as one user in the same second would see each
 * other's step as a replay and report a healthy gateway unready. Worker 1 (and a one-process
 * gateway) keeps the historical `canary:<gatewayId>`.
 */
export function canaryExternalUserId(gatewayId: string): string {
  return slot === null || slot === 1 ? `canary:${gatewayId}` : `canary:${gatewayId}/w${slot}`;
}

/** `x-holdfast-worker`: which process answered (operators and tests tell workers apart by it). */
export function workerHeaderValue(): string {
  return String(process.pid);
}
