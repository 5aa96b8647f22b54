import type { FactorKind } from '@holdfast/validators';
import { bypassFactor } from './bypass-factor';
import type { FactorModule } from './factor-module';
import { pushFactor } from './push-factor';
import { recoveryCodesFactor } from './recovery-codes-factor';
import { totpFactor } from './totp-factor';
import { webauthnFactor } from './webauthn-factor';

/**
 * Every factor module by kind. The mapped type makes a kind added to `@holdfast/validators`
 * without a module here (or a module filed under the wrong kind) fail to compile.
 */
export const factorRegistry = {
  totp: totpFactor,
  recovery_codes: recoveryCodesFactor,
  webauthn: webauthnFactor,
  push: pushFactor,
  bypass: bypassFactor,
} as const satisfies { readonly [K in FactorKind]: FactorModule<K> };

export type FactorRegistry = typeof factorRegistry;

/** The module of one kind, with its own evaluation's types. */
export function factorModuleFor<K extends FactorKind>(kind: K): FactorRegistry[K] {
  return factorRegistry[kind];
}
