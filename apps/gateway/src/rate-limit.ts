import { parseApiKey } from '@holdfast/db';
import { createHash } from 'node:crypto';

/** Enrollment-session bearers (`hfs_…`) are not API keys: they are never gated as failed keys. */
const enrollmentSessionPrefix = 'hfs_';

/**
 * The gateway's flood shield (issue 8, hole 4): token buckets checked in the HTTP layer, before
 * tRPC parses anything and before any database work.
 *
 * Buckets live in this process only. They are a flood shield, not a security counter: a client
 * spread over N gateways gets N times the rate. The limits that must hold across processes
 * (per-factor and per-account lockout, attempt ids) are counted in the database under row locks.
 */

export interface BucketLimit {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** Bucket size: how many requests may arrive at once after a quiet period. */
  burst: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** Token buckets by key (an IP, a key id), refilled lazily on each look. */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: BucketLimit,
    private readonly now: () => number = () => performance.now(),
    /** Above this many keys, full (idle) buckets are dropped: they hold no information. */
    private readonly maxKeys = 100_000,
  ) {}

  private refill(key: string): Bucket {
    const now = this.now();
    const bucket = this.buckets.get(key);
    if (bucket === undefined) {
      const fresh = { tokens: this.limit.burst, updatedMs: now };
      if (this.buckets.size >= this.maxKeys) this.sweep();
      this.buckets.set(key, fresh);
      return fresh;
    }
    const elapsedSeconds = Math.max(0, now - bucket.updatedMs) / 1000;
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + elapsedSeconds * this.limit.ratePerSecond);
    bucket.updatedMs = now;
    return bucket;
  }

  private sweep(): void {
    for (const [key, bucket] of this.buckets) {
      const elapsedSeconds = Math.max(0, this.now() - bucket.updatedMs) / 1000;
      if (bucket.tokens + elapsedSeconds * this.limit.ratePerSecond >= this.limit.burst) this.buckets.delete(key);
    }
    // Still full of drained buckets (a spread-out flood): start over rather than grow without bound.
    if (this.buckets.size >= this.maxKeys) this.buckets.clear();
  }

  /** Takes one token; false (and nothing taken) when the bucket is empty. */
  take(key: string): boolean {
    const bucket = this.refill(key);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  hasToken(key: string): boolean {
    return this.refill(key).tokens >= 1;
  }

  /** Seconds until the next token, for Retry-After. */
  secondsUntilToken(key: string): number {
    const bucket = this.refill(key);
    if (bucket.tokens >= 1 || this.limit.ratePerSecond <= 0) return bucket.tokens >= 1 ? 0 : 60;
    return Math.ceil((1 - bucket.tokens) / this.limit.ratePerSecond);
  }
}

/**
 * Credentials (exact bearer, by SHA-256) that authenticated on this gateway recently. They skip
 * the failed-authentication gate, so a flood of bad keys from an address (a shared NAT, the same
 * host) does not lock out a working key from it. This only exempts from a rate limit: every
 * request still authenticates in full (a revoked key fails there, and is then forgotten here).
 */
export class KnownCredentials {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = () => performance.now(),
    private readonly maxEntries = 10_000,
  ) {}

  static tagOf(bearer: string): string {
    return createHash('sha256').update(bearer, 'utf8').digest('base64url');
  }

  has(tag: string): boolean {
    const expires = this.seen.get(tag);
    if (expires === undefined) return false;
    if (expires > this.now()) return true;
    this.seen.delete(tag);
    return false;
  }

  remember(tag: string): void {
    if (this.seen.size >= this.maxEntries && !this.seen.has(tag)) {
      // Oldest first (Map keeps insertion order): drop the first tenth.
      let drop = Math.ceil(this.maxEntries / 10);
      for (const key of this.seen.keys()) {
        if (drop-- <= 0) break;
        this.seen.delete(key);
      }
    }
    this.seen.delete(tag);
    this.seen.set(tag, this.now() + this.ttlMs);
  }

  forget(tag: string): void {
    this.seen.delete(tag);
  }
}

export interface FloodShieldLimits {
  perIp: BucketLimit;
  perKey: BucketLimit;
  failuresPerIp: BucketLimit;
  failuresPerKey: BucketLimit;
  knownCredentialTtlMs: number;
}

export type ShieldDecision =
  { allowed: true; ticket: ShieldTicket } | { allowed: false; bucket: 'ip' | 'key' | 'failed_auth_ip' | 'failed_auth_key'; retryAfterSeconds: number };

/** What the HTTP layer tells the shield about the request's authentication, once known. */
export interface ShieldTicket {
  ip: string;
  keyId: string | null;
  onApiKeyResult: (isAuthenticated: boolean) => void;
}

export class FloodShield {
  private readonly perIp: TokenBuckets;
  private readonly perKey: TokenBuckets;
  private readonly failuresPerIp: TokenBuckets;
  private readonly failuresPerKey: TokenBuckets;
  private readonly known: KnownCredentials;

  constructor(limits: FloodShieldLimits, now?: () => number) {
    this.perIp = new TokenBuckets(limits.perIp, now);
    this.perKey = new TokenBuckets(limits.perKey, now);
    this.failuresPerIp = new TokenBuckets(limits.failuresPerIp, now);
    this.failuresPerKey = new TokenBuckets(limits.failuresPerKey, now);
    this.known = new KnownCredentials(limits.knownCredentialTtlMs, now);
  }

  /**
   * Decides before any parsing beyond the Authorization header and before any database work.
   * The key id is the public half of `hf_<keyId>_<secret>`, read without a lookup.
   */
  check(ip: string, bearer: string | null, options: { requiresApiKey: boolean } = { requiresApiKey: false }): ShieldDecision {
    const parsed = bearer === null ? null : parseApiKey(bearer);
    const keyId = parsed?.keyId ?? null;
    if (!this.perIp.take(ip)) return { allowed: false, bucket: 'ip', retryAfterSeconds: this.perIp.secondsUntilToken(ip) };
    if (keyId !== null && !this.perKey.take(keyId)) {
      return { allowed: false, bucket: 'key', retryAfterSeconds: this.perKey.secondsUntilToken(keyId) };
    }
    // Anything presented as an API key (a well-formed one costs a database lookup when its id is
    // not cached), and a missing key on a path that needs one, must find a token in the
    // failed-authentication buckets — unless this exact credential worked here recently. No bearer
    // on other paths is not gated: public procedures (hosted page, link redemption) carry none.
    // Enrollment sessions are not API keys.
    const isApiKeyLike = bearer === null ? options.requiresApiKey : !bearer.startsWith(enrollmentSessionPrefix);
    const tag = isApiKeyLike && bearer !== null ? KnownCredentials.tagOf(bearer) : null;
    const isGated = isApiKeyLike && (tag === null || !this.known.has(tag));
    // Look, do not take: a token is charged only for an authentication that definitively failed.
    // (Found by the primary-kill drill: when tokens were taken on admission and given back on
    // success, a key's requests hanging on a failing-over database — neither failed nor
    // authenticated for seconds — drained the bucket and 3 % of real logins got 429.)
    if (isGated) {
      if (!this.failuresPerIp.hasToken(ip)) {
        return { allowed: false, bucket: 'failed_auth_ip', retryAfterSeconds: this.failuresPerIp.secondsUntilToken(ip) };
      }
      if (keyId !== null && !this.failuresPerKey.hasToken(keyId)) {
        return { allowed: false, bucket: 'failed_auth_key', retryAfterSeconds: this.failuresPerKey.secondsUntilToken(keyId) };
      }
    }
    return {
      allowed: true,
      ticket: {
        ip,
        keyId,
        onApiKeyResult: (isAuthenticated) => {
          if (!isAuthenticated) {
            if (tag !== null) this.known.forget(tag);
            this.failuresPerIp.take(ip);
            if (keyId !== null) this.failuresPerKey.take(keyId);
            return;
          }
          if (tag !== null) this.known.remember(tag);
        },
      },
    };
  }
}
