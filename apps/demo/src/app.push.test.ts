// The demo's "Approve on your phone" routes over real HTTP, against a stand-in for the SDK client
// (the gateway side is covered by the gateway's push tests and the e2e [DEMO_LOGIN_PUSH]): which
// calls the demo makes, with what, and what the browser gets back.
import { HoldfastApiError, HoldfastUnavailableError, type HoldfastClient, type PushBeginResult, type PushContext, type PushStatusResult } from '@holdfast/sdk';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDemoApp } from './app';
import { openPasswordStore } from './password-store';
import { SessionStore } from './sessions';

interface Calls {
  begin: { userId: string; attemptId?: string; context?: PushContext }[];
  status: { transactionId?: string; attemptId?: string; waitMs?: number }[];
}

const transactionId = '01930000-0000-7000-8000-000000000001';
const calls: Calls = { begin: [], status: [] };
let nextBegin: () => Promise<PushBeginResult>;
let nextStatus: () => Promise<PushStatusResult>;

const begun = (overrides: Partial<PushBeginResult> = {}): PushBeginResult => ({
  transactionId,
  number: '47',
  expiresAt: new Date(Date.now() + 60_000).toISOString(),
  status: 'pending',
  deviceCount: 1,
  replayed: false,
  ...overrides,
});
const statusOf = (status: PushStatusResult['status'], reason: string | null = null): PushStatusResult => ({
  transactionId,
  status,
  reason,
  expiresAt: new Date(Date.now() + 60_000).toISOString(),
  decidedAt: status === 'pending' ? null : new Date().toISOString(),
});

const client: Partial<HoldfastClient> = {
  preauth: () =>
    Promise.resolve({
      result: 'auth' as const,
      factors: [
        { id: 'f1', kind: 'totp' as const, label: 'App', isLocked: false, remainingCodes: null, authenticatorName: null, assuranceLevel: 'aal2' as const },
        { id: 'f2', kind: 'push' as const, label: 'Phone', isLocked: false, remainingCodes: null, authenticatorName: null, assuranceLevel: 'aal2' as const },
      ],
    }),
  pushBegin: (input) => {
    calls.begin.push(input);
    return nextBegin();
  },
  pushStatus: (input) => {
    calls.status.push(input);
    return nextStatus();
  },
};

let server: Server;
let base = '';
let dir = '';
const sessions = new SessionStore();

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'holdfast-demo-push-'));
  const passwords = await openPasswordStore({ file: path.join(dir, 'users.json') });
  await passwords.create('alice', 'correct horse battery');
  // The stand-in implements only what these routes call.
  const app = createDemoApp({ holdfast: client as HoldfastClient, passwords, sessions, publicUrl: 'http://localhost', portalUrl: 'http://localhost:3000' });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  sessions.close();
  server.closeAllConnections();
  server.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  calls.begin.length = 0;
  calls.status.length = 0;
  nextBegin = () => Promise.resolve(begun());
  nextStatus = () => Promise.resolve(statusOf('pending'));
});

/** A browser: one cookie, the page's CSRF token, no automatic redirects. */
class Browser {
  cookie = '';
  csrf = '';
  async request(method: 'GET' | 'POST', url: string, options: { form?: Record<string, string>; headers?: Record<string, string> } = {}) {
    const response = await fetch(`${base}${url}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(this.cookie === '' ? {} : { cookie: this.cookie }),
        'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 <b>Your bank</b>',
        ...(options.form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
        ...options.headers,
      },
      ...(options.form === undefined ? {} : { body: new URLSearchParams(options.form).toString() }),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie !== null) this.cookie = setCookie.split(';')[0] ?? '';
    const text = await response.text();
    const token = /name="csrf-token" content="([^"]+)"/.exec(text)?.[1];
    if (token !== undefined) this.csrf = token;
    return { status: response.status, location: response.headers.get('location'), text };
  }
  /** Password checked: on the second-step page. */
  async signIn(): Promise<string> {
    await this.request('GET', '/');
    await this.request('POST', '/sign-in', { form: { _csrf: this.csrf, userName: 'alice', password: 'correct horse battery' } });
    return (await this.request('GET', '/verify')).text;
  }
}

describe('"Approve on your phone" in the demo', () => {
  it('is offered first, above the other factors', async () => {
    const page = await new Browser().signIn();
    const push = page.indexOf('<h2 id="push-heading">Approve on your phone</h2>');
    expect(push).toBeGreaterThan(0);
    expect(push).toBeLessThan(page.indexOf('Authenticator app'));
  });

  it('refuses a POST without the CSRF token and begins nothing', async () => {
    const browser = new Browser();
    await browser.signIn();
    expect((await browser.request('POST', '/verify/push', { form: {} })).location).toBe('/');
    expect(calls.begin).toEqual([]);
  });

  it('begins with a fresh attempt id and a safe context, shows the number, and signs in on approval under a new session id', async () => {
    const browser = new Browser();
    await browser.signIn();
    const posted = await browser.request('POST', '/verify/push', { form: { _csrf: browser.csrf } });
    expect(posted.location).toBe('/verify/push');
    expect(calls.begin).toHaveLength(1);
    expect(calls.begin[0]).toMatchObject({ userId: 'alice', context: { ipAddress: '127.0.0.1', browser: 'Chrome on Linux' } });
    expect(calls.begin[0]?.attemptId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(calls.begin)).not.toContain('bank');

    const waiting = await browser.request('GET', '/verify/push');
    expect(waiting.text).toContain('Type <strong class="push-number" data-testid="push-number">47</strong> on your phone');
    expect(waiting.text).toContain('role="status" aria-live="polite"');
    expect(waiting.text).toContain('<script type="module" src="/push.js"></script>');

    // The long-poll needs the CSRF header (a link or a cross-site navigation cannot drive it).
    expect((await browser.request('GET', '/verify/push/status')).status).toBe(403);
    const pending = await browser.request('GET', `/verify/push/status?transactionId=someone-elses`, { headers: { 'x-csrf-token': browser.csrf } });
    expect(JSON.parse(pending.text)).toEqual({ state: 'pending' });
    // The session's transaction, never one the browser names.
    expect(calls.status).toEqual([{ transactionId, waitMs: 20_000 }]);

    const before = browser.cookie;
    nextStatus = () => Promise.resolve(statusOf('approved', 'approved'));
    const approved = await browser.request('GET', '/verify/push/status', { headers: { 'x-csrf-token': browser.csrf } });
    expect(JSON.parse(approved.text)).toEqual({ redirect: '/account' });
    expect(browser.cookie).not.toBe(before);
    const account = await browser.request('GET', '/account');
    expect(account.text).toContain('Second step: phone approval');
  });

  it('a second press shows the waiting push instead of sending another', async () => {
    const browser = new Browser();
    await browser.signIn();
    await browser.request('POST', '/verify/push', { form: { _csrf: browser.csrf } });
    expect((await browser.request('POST', '/verify/push', { form: { _csrf: browser.csrf } })).location).toBe('/verify/push');
    expect(calls.begin).toHaveLength(1);
  });

  it('keeps the attempt id only after a call that got no answer (the retry returns the same push)', async () => {
    const browser = new Browser();
    await browser.signIn();
    nextBegin = () => Promise.reject(new HoldfastUnavailableError('down', []));
    expect((await browser.request('POST', '/verify/push', { form: { _csrf: browser.csrf } })).status).toBe(503);
    nextBegin = () => Promise.resolve(begun());
    await browser.request('POST', '/verify/push', { form: { _csrf: browser.csrf } });
    expect(calls.begin[1]?.attemptId).toBe(calls.begin[0]?.attemptId);
  });

  it.each([
    ['PUSH_PENDING', 409, 'already waiting on your phone'],
    ['PUSH_LIMIT_REACHED', 429, 'Try again in 3 minutes'],
    ['PUSH_SUSPENDED', 403, 'reported as fraud'],
  ])('%s: a clear message and the other factors', async (code, status, words) => {
    const browser = new Browser();
    await browser.signIn();
    nextBegin = () => Promise.reject(new HoldfastApiError(code, status, code, 150_000));
    const page = await browser.request('POST', '/verify/push', { form: { _csrf: browser.csrf } });
    expect(page.status).toBe(status);
    expect(page.text).toContain(words);
    expect(page.text).toContain('Authenticator app');
    // A refusal ends that attempt id: the next press is a new attempt.
    nextBegin = () => Promise.resolve(begun());
    await browser.request('POST', '/verify/push', { form: { _csrf: browser.csrf } });
    expect(calls.begin[1]?.attemptId).not.toBe(calls.begin[0]?.attemptId);
  });

  it('"Check again" (no JavaScript): one check; denied and expired are said on the second-step page', async () => {
    const browser = new Browser();
    await browser.signIn();
    await browser.request('POST', '/verify/push', { form: { _csrf: browser.csrf } });
    const still = await browser.request('POST', '/verify/push/check', { form: { _csrf: browser.csrf } });
    expect(still.text).toContain('No answer yet.');
    expect(calls.status).toEqual([{ transactionId, waitMs: 0 }]);

    nextStatus = () => Promise.resolve(statusOf('denied', 'denied_by_user'));
    expect((await browser.request('POST', '/verify/push/check', { form: { _csrf: browser.csrf } })).location).toBe('/verify');
    const denied = await browser.request('GET', '/verify');
    expect(denied.text).toContain('The request was denied on your phone.');
    expect(denied.text).toContain('>Approve on your phone</button>');

    await browser.request('POST', '/verify/push', { form: { _csrf: browser.csrf } });
    nextStatus = () => Promise.resolve(statusOf('expired', 'expired'));
    const expired = await browser.request('GET', '/verify/push/status', { headers: { 'x-csrf-token': browser.csrf } });
    expect(JSON.parse(expired.text)).toEqual({ redirect: '/verify' });
    const again = await browser.request('GET', '/verify');
    expect(again.text).toContain('No answer in time');
    expect(again.text).toContain('>Send again</button>');
  });
});
