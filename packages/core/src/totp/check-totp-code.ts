import { constantTimeEqual } from '../crypto/constant-time-equal';
import { HoldfastError } from '../errors';
import { promised } from '../promised';
import { generateCodeForStepSync } from './generate-totp-code';
import type { TotpParams } from './totp-params';
import { decodeTotpSecret } from './totp-secret';
import { timeStepAt } from './time-step';

export type TotpCheck = { matched: false } | { matched: true; step: number; isReplay: boolean };

/** Wider windows multiply the guessing odds per attempt; ±10 steps is already generous for drift. */
const maxWindow = 10;

const encoder = new TextEncoder();

/**
 * Checks a submitted code against the steps around `now`. This only decides whether the code is
 * right and whether its step was already used; making acceptance single-use globally is the
 * caller's compare-and-set on the stored last step (DESIGN invariant 1).
 *
 * @param lastStep the last accepted time step stored for the factor (-1 if none yet).
 * @param window steps accepted either side of the current one (clock drift), integer 0..10.
 */
export function checkTotpCode(input: CheckTotpInput): Promise<TotpCheck> {
  return promised(() => checkTotpCodeSync(input));
}

interface CheckTotpInput {
  secret: string;
  code: string;
  params: TotpParams;
  now: Date;
  window?: number;
  lastStep: number;
}

/** `checkTotpCode` without the promise (nothing in it waits: HMAC is synchronous native code). */
function checkTotpCodeSync({ secret, code, params, now, window = 1, lastStep }: CheckTotpInput): TotpCheck {
  if (!Number.isInteger(window) || window < 0 || window > maxWindow) {
    throw new HoldfastError('BAD_REQUEST', `TOTP window must be an integer from 0 to ${maxWindow}`);
  }
  // NaN here would make every `step <= lastStep` false and wave replays through.
  if (!Number.isSafeInteger(lastStep)) {
    throw new HoldfastError('INTERNAL', 'Stored TOTP last step is invalid');
  }
  const currentStep = timeStepAt({ at: now, period: params.period });
  // Only the format is revealed by returning early here, never anything about the secret.
  if (!isWellFormedCode({ code, digits: params.digits })) {
    return { matched: false };
  }

  const key = decodeTotpSecret(secret);
  const submitted = encoder.encode(code);
  // The oldest matching step after the last used one: two steps of the window can share a code (one
  // in a million), and taking the newest would spend a future step — the user's next code, the same
  // digits, would then be refused as a replay (a soak saw it once in 76,202 logins).
  let freshStep: number | null = null;
  let usedStep: number | null = null;
  // Every step is computed and compared, so timing does not reveal which step (if any) matched.
  for (let step = currentStep - window; step <= currentStep + window; step += 1) {
    if (step < 0) {
      continue;
    }
    const expected = encoder.encode(generateCodeForStepSync({ key, params, step }));
    const isMatch = constantTimeEqual(expected, submitted);
    if (isMatch && step > lastStep) freshStep ??= step;
    if (isMatch && step <= lastStep) usedStep = step;
  }

  if (freshStep !== null) {
    return { matched: true, step: freshStep, isReplay: false };
  }
  if (usedStep !== null) {
    return { matched: true, step: usedStep, isReplay: true };
  }
  return { matched: false };
}

function isWellFormedCode({ code, digits }: { code: string; digits: number }): boolean {
  return code.length === digits && /^[0-9]+$/.test(code);
}
