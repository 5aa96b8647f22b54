// The portal's "Add this phone for push": how it notices the new device and what it says about
// the pairing link's life. Pure, so it is tested beside the page.

/** How often the open pairing panel re-reads the factor list, looking for the new device. */
export const pairingPollIntervalMs = 3_000;

/** The push device that was not there when the panel opened (the newest, if several), or null. */
export function findNewPushDevice<T extends { id: string; kind: string; status: string; createdAt: string }>(
  factors: readonly T[],
  knownIds: ReadonlySet<string>,
): T | null {
  const fresh = factors.filter((factor) => factor.kind === 'push' && factor.status === 'active' && !knownIds.has(factor.id));
  return fresh.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))[0] ?? null;
}

/** "10 minutes", "1 minute": how long a pairing link lasts, as the gateway set it (rounded, at least 1). */
export function describePairingLife(options: { expiresAt: string; now: number }): string {
  const minutes = Math.max(1, Math.round((Date.parse(options.expiresAt) - options.now) / 60_000));
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}
