// When hosted-result signing keys are created, start signing, stop signing and disappear from the
// JWKS. Pure: the caller passes the stored keys and the clock, and applies the plan in the database.

/** A signing key's lifecycle columns (`signing_keys`). */
export interface SigningKeyState {
  kid: string;
  /** The one key that signs now. */
  isActive: boolean;
  /** Published (in the JWKS) from its creation. */
  createdAt: Date;
  /** May sign from here on: later than creation by the publication delay, except for the very first key. */
  activateAfter: Date;
  /** Stopped signing (a newer key took over). */
  retiredAt: Date | null;
  /** Published until then: the expiry of the last token it can have signed. */
  publishUntil: Date | null;
}

export interface SigningKeyPolicy {
  /** How long a key signs before a successor is created. */
  rotateAfterMs: number;
  /**
   * How long a new key is published before it signs. Longer than any verifier's JWKS cache (the
   * gateway sends max-age=60; jose's remote key set keeps a set 10 minutes), so nobody meets a token
   * whose key it has not fetched yet.
   */
  publicationDelayMs: number;
  /** The longest life of a token it signs (plus clock skew): a retired key stays published that long. */
  tokenLifetimeMs: number;
}

export const defaultSigningKeyPolicy: SigningKeyPolicy = {
  rotateAfterMs: 30 * 24 * 3_600_000,
  publicationDelayMs: 60 * 60_000,
  tokenLifetimeMs: 6 * 60_000,
};

/** What to change now; empty (`isEmpty`) most of the time. */
export interface SigningKeyRotationPlan {
  /** Create a key: `active` when none can sign (the first key), `next` to be published ahead of use. */
  create: { role: 'active' } | { role: 'next'; activateAfter: Date } | null;
  /** Promote this next key; the current active one (if any) is retired, published until `publishUntil`. */
  activate: { kid: string; retireKid: string | null; publishUntil: Date } | null;
  /** Retired keys whose every token has expired: no longer published. */
  remove: string[];
  isEmpty: boolean;
}

function isRetired(key: SigningKeyState): boolean {
  return key.retiredAt !== null;
}

function isNext(key: SigningKeyState): boolean {
  return !key.isActive && !isRetired(key);
}

/**
 * The rotation step for `now`:
 *  - a next key whose publication delay is over becomes the active key; the old active key stops
 *    signing but stays published until the last token it signed has expired;
 *  - with no key at all, the first one is created active (no token can predate it);
 *  - an active key older than `rotateAfterMs` with no successor gets one, created `next`: published
 *    now, signing only after `publicationDelayMs`;
 *  - retired keys past `publishUntil` are removed.
 */
export function planSigningKeyRotation(options: { keys: readonly SigningKeyState[]; now: Date; policy: SigningKeyPolicy }): SigningKeyRotationPlan {
  const { keys, now, policy } = options;
  const active = keys.find((key) => key.isActive) ?? null;
  const nexts = keys.filter(isNext).sort((a, b) => a.activateAfter.getTime() - b.activateAfter.getTime());
  const ready = nexts.filter((key) => key.activateAfter <= now).at(-1) ?? null;

  const activate = ready === null ? null : { kid: ready.kid, retireKid: active?.kid ?? null, publishUntil: new Date(now.getTime() + policy.tokenLifetimeMs) };
  const signer = ready ?? active;
  const pending = nexts.filter((key) => key !== ready && key.activateAfter > now);

  let create: SigningKeyRotationPlan['create'] = null;
  if (signer === null && pending.length === 0) create = { role: 'active' };
  else if (signer !== null && pending.length === 0 && now.getTime() - signer.activateAfter.getTime() >= policy.rotateAfterMs) {
    create = { role: 'next', activateAfter: new Date(now.getTime() + policy.publicationDelayMs) };
  }

  const remove = keys.filter((key) => isRetired(key) && key.publishUntil !== null && key.publishUntil <= now).map((key) => key.kid);
  return { create, activate, remove, isEmpty: create === null && activate === null && remove.length === 0 };
}

/** The keys a verifier must be able to find now: the active one, the next one(s), and retired ones still in their tokens' lifetime. */
export function isSigningKeyPublished(key: SigningKeyState, now: Date): boolean {
  return !isRetired(key) || key.publishUntil === null || key.publishUntil > now;
}
