import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword, isPasswordMatch, openPasswordStore } from './password-store';

describe('password store', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'holdfast-demo-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps scrypt hashes with a per-user salt, never the password, in a 0600 file', async () => {
    const file = path.join(dir, 'users.json');
    const store = await openPasswordStore({ file });
    expect(await store.create('alice', 'correct horse battery')).toBe('created');
    expect(await store.create('bob', 'correct horse battery')).toBe('created');
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('correct horse');
    const saved = JSON.parse(text) as { users: Record<string, { salt: string; hash: string; params: { N: number } }> };
    expect(saved.users.alice?.params.N).toBeGreaterThanOrEqual(2 ** 15);
    // Same password, different salts: different hashes.
    expect(saved.users.alice?.hash).not.toBe(saved.users.bob?.hash);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('accepts the right password only, for known users only, and survives a reopen', async () => {
    const file = path.join(dir, 'users.json');
    const store = await openPasswordStore({ file });
    await store.create('alice', 'correct horse battery');
    expect(await store.verify('alice', 'correct horse battery')).toBe(true);
    expect(await store.verify('alice', 'correct horse batterY')).toBe(false);
    expect(await store.verify('alice', '')).toBe(false);
    expect(await store.verify('mallory', 'correct horse battery')).toBe(false);
    const reopened = await openPasswordStore({ file });
    expect(await reopened.verify('alice', 'correct horse battery')).toBe(true);
  });

  it('refuses taken names, bad names and short passwords', async () => {
    const store = await openPasswordStore({ file: path.join(dir, 'users.json') });
    expect(await store.create('alice', 'long enough')).toBe('created');
    expect(await store.create('alice', 'another one')).toBe('taken');
    expect(await store.create('Al ice', 'long enough')).toBe('invalid-name');
    expect(await store.create('<b>', 'long enough')).toBe('invalid-name');
    expect(await store.create('carol', 'short')).toBe('weak-password');
  });

  it('upsert resets the ready user’s password', async () => {
    const store = await openPasswordStore({ file: path.join(dir, 'users.json') });
    await store.upsert('demo-user', 'first password');
    await store.upsert('demo-user', 'second password');
    expect(await store.verify('demo-user', 'first password')).toBe(false);
    expect(await store.verify('demo-user', 'second password')).toBe(true);
  });

  it('compares the whole derived key: a truncated stored hash never matches, even for the right password', async () => {
    const stored = await hashPassword('s3cret-pass');
    expect(await isPasswordMatch('s3cret-pass', stored)).toBe(true);
    expect(await isPasswordMatch('s3cret-pasS', stored)).toBe(false);
    const truncated = { ...stored, hash: Buffer.from(stored.hash, 'base64').subarray(0, 16).toString('base64') };
    expect(await isPasswordMatch('s3cret-pass', truncated)).toBe(false);
  });
});
