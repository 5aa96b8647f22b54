// The seeded users as the load generator sees them: their TOTP secrets (20 bytes each, in one
// buffer: a million users cost 20 MB, not a million objects) and the last step each was verified
// at. Every request needs a code nobody used yet (invariant 1 refuses a replay), so factors have a
// 1 s period — each user has a fresh code every second — and no user is sent twice in one step.
// The work per request is the same as with a 30 s period.
import { createHmac } from 'node:crypto';
import { createTotpSecret, generateTotpCode } from '@holdfast/core';

export const secretBytes = 20;

export interface UserSet {
  /** External ids are `${prefix}${index}`. */
  prefix: string;
  count: number;
  secrets: Buffer;
  lastStep: Float64Array;
}

export function createUserSet(prefix: string, count: number, secrets: Buffer): UserSet {
  return { prefix, count, secrets, lastStep: new Float64Array(count).fill(-1) };
}

/** RFC 4226 HOTP (SHA-1, 6 digits) with node:crypto: the client must cost far less than the server it measures. */
export function hotpCode(secrets: Buffer, index: number, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', secrets.subarray(index * secretBytes, (index + 1) * secretBytes))
    .update(counter)
    .digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1_000_000).padStart(6, '0');
}

/** Checks once that the bench's HOTP agrees with core's TOTP (what the gateway checks against). */
export async function assertCodesAgree(users: UserSet, index = 0): Promise<void> {
  const bytes = users.secrets.subarray(index * secretBytes, (index + 1) * secretBytes);
  const base32Secret = createTotpSecret({ random: () => new Uint8Array(bytes), algorithm: 'SHA1' });
  const at = new Date();
  const step = Math.floor(at.getTime() / 1000);
  const expected = await generateTotpCode({ secret: base32Secret, params: { algorithm: 'SHA1', digits: 6, period: 1 }, at });
  const actual = hotpCode(users.secrets, index, step);
  if (expected !== actual) throw new Error(`bench HOTP disagrees with core: ${actual} vs ${expected}`);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface Credential {
  userId: string;
  code: string;
}

/**
 * A picker per worker: worker `w` of `workers` walks its own slice of the users (index ≡ w mod
 * workers), so two workers never race for one user's code; when every user of its slice was used
 * this second it waits for the next (bounded: a slice is walked at most once per try).
 */
export function slicePicker(users: UserSet, workers: number): (worker: number) => Promise<Credential> {
  const cursors = new Array<number>(workers).fill(0);
  return async (worker) => {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const step = Math.floor(Date.now() / 1000);
      const sliceSize = Math.ceil((users.count - worker) / workers);
      for (let tried = 0; tried < sliceSize; tried += 1) {
        const cursor = cursors[worker] ?? 0;
        cursors[worker] = (cursor + 1) % sliceSize;
        const index = worker + cursor * workers;
        if (index >= users.count || (users.lastStep[index] ?? 0) >= step) continue;
        users.lastStep[index] = step;
        return { userId: `${users.prefix}${index}`, code: hotpCode(users.secrets, index, step) };
      }
      await sleep(1000 - (Date.now() % 1000) + 1);
    }
    throw new Error('no unused user code (slice too small for this rate)');
  };
}

/** Random users (the `--users N` run: a million users means almost every request misses the gateway's caches). */
export function randomPicker(users: UserSet): () => Credential {
  return () => {
    const step = Math.floor(Date.now() / 1000);
    // Bounded: with thousands of users a free one is found at once; with few, the last try is used anyway and may be a replay.
    let index = 0;
    for (let attempt = 0; attempt < 20; attempt += 1) {
      index = Math.floor(Math.random() * users.count);
      if ((users.lastStep[index] ?? 0) < step) break;
    }
    users.lastStep[index] = step;
    return { userId: `${users.prefix}${index}`, code: hotpCode(users.secrets, index, step) };
  };
}
