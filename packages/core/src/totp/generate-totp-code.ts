import { generate } from 'otplib';

import { HoldfastError } from '../errors';
import type { TotpAlgorithm, TotpParams } from './totp-params';
import { toOtplibAlgorithm } from './totp-params';
import { decodeTotpSecret } from './totp-secret';
import { assertValidPeriod, timeStepAt } from './time-step';

/**
 * The code for one exact time step. Passing the step's start as the epoch (rather than the wall
 * time) keeps the step arithmetic in one place, `timeStepAt`, so generation and checking agree.
 */
export async function generateCodeForStep({ key, params, step }: { key: Uint8Array; params: TotpParams; step: number }): Promise<string> {
  assertValidPeriod(params.period);
  try {
    return await generate({
      strategy: 'totp',
      secret: key,
      algorithm: toOtplibAlgorithm(params.algorithm),
      digits: params.digits,
      period: params.period,
      epoch: step * params.period,
      t0: 0,
    });
  } catch (error) {
    // otplib rejects e.g. a secret shorter than 16 bytes; that is corrupt stored state.
    throw new HoldfastError('INTERNAL', 'TOTP code generation failed', { cause: error });
  }
}

/** The TOTP code (RFC 6238) a correctly configured authenticator shows at `at`. */
export async function generateTotpCode({ secret, params, at }: { secret: string; params: TotpParams; at: Date }): Promise<string> {
  const step = timeStepAt({ at, period: params.period });
  return generateCodeForStep({ key: decodeTotpSecret(secret), params, step });
}

/** The HOTP code (RFC 4226) for `counter`; TOTP is HOTP over the time step. */
export async function generateHotpCode({
  secret,
  counter,
  algorithm,
  digits,
}: {
  secret: string;
  counter: number;
  algorithm: TotpAlgorithm;
  digits: 6 | 8;
}): Promise<string> {
  if (!Number.isSafeInteger(counter) || counter < 0) {
    throw new HoldfastError('BAD_REQUEST', 'HOTP counter must be a non-negative integer');
  }
  const key = decodeTotpSecret(secret);
  try {
    return await generate({
      strategy: 'hotp',
      secret: key,
      algorithm: toOtplibAlgorithm(algorithm),
      digits,
      counter,
    });
  } catch (error) {
    throw new HoldfastError('INTERNAL', 'HOTP code generation failed', { cause: error });
  }
}
