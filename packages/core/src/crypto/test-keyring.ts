import type { Keyring } from './keyring';
import { parseKeyring } from './keyring';

/** Test-only keys: fixed bytes so failures are reproducible. */
export function testKey(fill: number): string {
  return Buffer.alloc(32, fill).toString('base64');
}

export function testKeyring({ active, keys }: { active: string; keys: Record<string, number> }): Keyring {
  const spec = Object.entries(keys)
    .map(([kid, fill]) => `${kid}:${testKey(fill)}`)
    .join(',');
  return parseKeyring({ keys: spec, activeKeyId: active });
}
