// Asking the gateways, for every pairing on this browser, which sign-in requests wait for an
// answer — the path that works when push delivery does not (browser only).
import { listPending } from '../app/actions';
import type { PendingRequest } from '../app/types';
import { signListRequest } from './device-key';
import type { Pairing } from './device-store';

export type DevicePending = { pairing: Pairing } & ({ ok: true; requests: PendingRequest[] } | { ok: false; message: string });

/** One signed list request per pairing, in parallel; a failure stays with its pairing. */
export async function fetchPendingForAll(pairings: readonly Pairing[]): Promise<DevicePending[]> {
  return Promise.all(
    pairings.map(async (pairing): Promise<DevicePending> => {
      try {
        const result = await listPending(await signListRequest(pairing));
        return result.ok ? { pairing, ok: true, requests: result.value } : { pairing, ok: false, message: result.message };
      } catch (error) {
        console.error('holdfast push: could not check for requests', error);
        return { pairing, ok: false, message: 'Could not check for requests. Check your connection and try again.' };
      }
    }),
  );
}

/** "Expires in 0:42" — whole seconds left, never negative. */
export function formatRemaining(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
