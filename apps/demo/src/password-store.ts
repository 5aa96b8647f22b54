// The demo's own user list, as any application with passwords keeps one: a JSON file (0600) of
// scrypt hashes with per-user salts, compared in constant time. Holdfast never sees passwords.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/** scrypt cost (RFC 7914; N = 2^15 is OWASP's floor for scrypt), kept with each hash so it can be raised later. */
const defaultParams = { N: 2 ** 15, r: 8, p: 1, keyLength: 32 } as const;

const storedUser = z.object({
  salt: z.string(),
  hash: z.string(),
  params: z.object({ N: z.number().int(), r: z.number().int(), p: z.number().int(), keyLength: z.number().int() }),
  createdAt: z.string(),
});
const storeFile = z.object({ version: z.literal(1), users: z.record(z.string(), storedUser) });
type StoredUser = z.infer<typeof storedUser>;

/** User names double as the Holdfast user id: short, lower case, no spaces. */
export const userNamePattern = /^[a-z0-9][a-z0-9._-]{2,31}$/;
export const minPasswordLength = 8;

function deriveKey(password: string, salt: Buffer, params: StoredUser['params']): Promise<Buffer> {
  // maxmem must exceed 128 · N · r bytes (32 MiB at N = 2^15), above Node's 32 MiB default.
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, params.keyLength, options, (error, key) => {
      if (error === null) resolve(key);
      else reject(error);
    });
  });
}

export async function hashPassword(password: string): Promise<StoredUser> {
  const salt = randomBytes(16);
  const hash = await deriveKey(password, salt, defaultParams);
  return { salt: salt.toString('base64'), hash: hash.toString('base64'), params: { ...defaultParams }, createdAt: new Date().toISOString() };
}

/** Constant-time comparison of the derived key: no early exit that would tell how many bytes matched. */
export async function isPasswordMatch(password: string, stored: StoredUser): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64');
  const actual = await deriveKey(password, Buffer.from(stored.salt, 'base64'), stored.params);
  // timingSafeEqual throws on a length mismatch; a damaged (e.g. truncated) hash simply never matches.
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export type CreateUserResult = 'created' | 'taken' | 'invalid-name' | 'weak-password';

export interface PasswordStore {
  /** True only for a known user with this password. Unknown users cost the same scrypt (no user-name probing by timing). */
  verify: (userName: string, password: string) => Promise<boolean>;
  create: (userName: string, password: string) => Promise<CreateUserResult>;
  /** Creates the user or resets its password (the launcher's ready demo user). */
  upsert: (userName: string, password: string) => Promise<void>;
  has: (userName: string) => boolean;
}

export async function openPasswordStore(options: { file: string }): Promise<PasswordStore> {
  const users = new Map<string, StoredUser>(
    existsSync(options.file) ? Object.entries(storeFile.parse(JSON.parse(await readFile(options.file, 'utf8'))).users) : [],
  );
  // A hash of a random password for unknown names, so "no such user" takes as long as a wrong password.
  const decoy = await hashPassword(randomBytes(16).toString('base64'));
  // Writes run one at a time (temp file + rename): a crash never leaves half a file.
  let writing: Promise<void> = Promise.resolve();
  const save = (): Promise<void> => {
    const next = writing.then(async () => {
      const temp = path.join(path.dirname(options.file), `.${path.basename(options.file)}.${process.pid}.tmp`);
      await writeFile(temp, JSON.stringify({ version: 1, users: Object.fromEntries(users) }, null, 2), { mode: 0o600 });
      await rename(temp, options.file);
    });
    writing = next.catch(() => undefined);
    return next;
  };

  return {
    verify: async (userName, password) => {
      const stored = users.get(userName);
      const isMatch = await isPasswordMatch(password, stored ?? decoy);
      return stored !== undefined && isMatch;
    },
    create: async (userName, password) => {
      if (!userNamePattern.test(userName)) return 'invalid-name';
      if (password.length < minPasswordLength) return 'weak-password';
      if (users.has(userName)) return 'taken';
      const stored = await hashPassword(password);
      // Checked again after the await: two sign-ups for one name may race.
      if (users.has(userName)) return 'taken';
      users.set(userName, stored);
      await save();
      return 'created';
    },
    upsert: async (userName, password) => {
      const existing = users.get(userName);
      if (existing !== undefined && (await isPasswordMatch(password, existing))) return;
      users.set(userName, await hashPassword(password));
      await save();
    },
    has: (userName) => users.has(userName),
  };
}
