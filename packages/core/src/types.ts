/**
 * Injected randomness: returns `size` cryptographically secure random bytes. Core never reaches for
 * a global RNG so that every decision is reproducible in tests.
 */
export type RandomSource = (size: number) => Uint8Array;

/** Injected clock, so time-based decisions (TOTP steps, lockouts) are deterministic in tests. */
export type Clock = () => Date;
