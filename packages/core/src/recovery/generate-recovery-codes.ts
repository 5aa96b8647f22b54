import { HoldfastError } from '../errors';
import { readRandomBytes } from '../random';
import type { RandomSource } from '../types';
import { formatRecoveryCode, recoveryCodeAlphabet, recoveryCodeLength } from './recovery-code-format';

const maxCount = 100;

/**
 * A fresh set of single-use recovery codes, formatted `XXXXX-XXXXX`. The set never contains the
 * same code twice: a duplicate would leave one printed code that stops working after the other
 * is used.
 */
export function generateRecoveryCodes({ random, count = 10 }: { random: RandomSource; count?: number }): string[] {
  if (!Number.isInteger(count) || count < 1 || count > maxCount) {
    throw new HoldfastError('BAD_REQUEST', `Recovery code count must be an integer from 1 to ${maxCount}`);
  }
  const codes = new Set<string>();
  // With 50 bits per code a repeat is astronomically rare; the cap only stops a broken random
  // source (e.g. constant output) from looping forever.
  const maxDraws = count * 4;
  for (let draw = 0; codes.size < count; draw += 1) {
    if (draw >= maxDraws) {
      throw new HoldfastError('INTERNAL', 'Random source produced repeated recovery codes');
    }
    codes.add(formatRecoveryCode(drawCanonicalCode(random)));
  }
  return [...codes];
}

function drawCanonicalCode(random: RandomSource): string {
  const bytes = readRandomBytes({ random, size: recoveryCodeLength });
  let code = '';
  for (const byte of bytes) {
    // The low 5 bits of a uniform byte are uniform over 32 values: no rejection sampling needed.
    code += recoveryCodeAlphabet.charAt(byte & 0x1f);
  }
  return code;
}
