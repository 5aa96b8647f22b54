// Which accepted replays broke single use, and which were a new code that happens to repeat an old
// one. A TOTP code has 6 digits: two steps of one secret share a code about once in a million
// pairs, so the drill's replays (every accepted code re-sent; 173,522 in a 10-minute soak at 241/s)
// meet a few such pairs per million. A replay of step S's code sent during step T whose own code is
// the same is a valid, unused code for T — the gateway must accept it (a soak found one: user
// drill-1007's code 015930 for steps 59866620 and 59866638, accepted at 59866638). Single use is
// broken only when no such unused step explains the acceptance.
import { generateTotpCode, timeStepAt } from '@holdfast/core';
import { totpParams, type DrillRequest } from './load';

export interface AcceptedReplays {
  /** Accepted replays that single use forbids: the code matched no step the user had left unused. */
  broken: string[];
  /** Accepted replays whose code is also that of a later, unused step inside the TOTP window when sent. */
  codeOfUnusedStep: string[];
}

/**
 * Splits the accepted replays (attempt ids) into the two kinds above. `window`: the steps the
 * gateway accepts either side of the current one (HOLDFAST_TOTP_WINDOW, 1 by default). A step
 * counts as unused only if it is later than every step this user logged in with before the replay
 * was sent (the gateway requires the matched step to be after the last used one).
 */
export async function splitAcceptedReplays(options: {
  acceptedReplayIds: ReadonlySet<string>;
  requests: readonly DrillRequest[];
  secrets: ReadonlyMap<string, string>;
  startEpochMs: number;
  window: number;
}): Promise<AcceptedReplays> {
  const stepAt = (ms: number): number => timeStepAt({ at: new Date(options.startEpochMs + ms), period: totpParams.period });
  const freshByUser = new Map<string, DrillRequest[]>();
  for (const r of options.requests) {
    if (r.kind !== 'fresh' || r.factor !== 'totp' || r.outcome !== 'accepted') continue;
    const list = freshByUser.get(r.userId) ?? [];
    list.push(r);
    freshByUser.set(r.userId, list);
  }
  const result: AcceptedReplays = { broken: [], codeOfUnusedStep: [] };
  // A step an explained replay used is used from then on: a second replay it would explain broke single use.
  const usedByReplay = new Map<string, number>();
  const accepted = options.requests.filter((r) => r.kind === 'replay' && options.acceptedReplayIds.has(r.attemptId)).sort((a, b) => a.startMs - b.startMs);
  for (const replay of accepted) {
    const secret = options.secrets.get(replay.userId);
    const lastUsed = Math.max(
      usedByReplay.get(replay.userId) ?? -1,
      ...(freshByUser.get(replay.userId) ?? []).filter((r) => r.startMs < replay.startMs).map((r) => stepAt(r.startMs)),
    );
    let explainedBy: number | null = null;
    if (replay.factor === 'totp' && secret !== undefined) {
      const ended = replay.endMs >= replay.startMs ? replay.endMs : replay.startMs;
      for (let step = stepAt(replay.startMs) - options.window; step <= stepAt(ended) + options.window && explainedBy === null; step += 1) {
        if (step <= lastUsed) continue;
        if ((await generateTotpCode({ secret, params: totpParams, at: new Date(step * totpParams.period * 1000 + 1) })) === replay.code) explainedBy = step;
      }
    }
    if (explainedBy === null) {
      result.broken.push(replay.attemptId);
    } else {
      result.codeOfUnusedStep.push(replay.attemptId);
      usedByReplay.set(replay.userId, explainedBy);
    }
  }
  return result;
}
