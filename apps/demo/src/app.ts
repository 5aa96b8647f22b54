// The demo relying application: password first (its own users), then Holdfast for the second
// step, through the SDK only — exactly what a real application would write. Server-rendered
// HTML, escaped by default (html.ts), a strict CSP, httpOnly SameSite=Lax cookies and a
// synchronizer CSRF token on every POST (login CSRF included: the anonymous session has one).
import {
  HoldfastApiError,
  HoldfastUnavailableError,
  type HoldfastClient,
  type PushTransactionStatus,
  type WebauthnAuthenticationResponse,
} from '@holdfast/sdk';
import express, { type NextFunction, type Request, type Response } from 'express';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { passkeyScript, pushScript, stylesheet } from './assets';
import { html, layout, type SafeHtml } from './html';
import { describeHoldfastError, describePushEnd, describeRejection } from './messages';
import { minPasswordLength, type PasswordStore } from './password-store';
import { pushContextFor } from './push-context';
import { randomToken, type Session, type SessionPush, type SessionStage, type SessionStore } from './sessions';

export interface DemoAppOptions {
  holdfast: HoldfastClient;
  passwords: PasswordStore;
  sessions: SessionStore;
  /** The demo's origin as the browser sees it (the hosted page's callback, cookie `Secure`). */
  publicUrl: string;
  /** The portal (enrollment links, hosted page): the only other place a form may lead to. */
  portalUrl: string;
}

const cookieName = 'holdfast_demo_session';
/** One long-poll on Holdfast while the page waits for the phone (the gateway allows up to 25 s). */
const pushWaitMs = 20_000;

type SecondStep = Extract<SessionStage, { kind: 'second-step' }>;
type BegunPush = NonNullable<SessionPush['begun']>;

/** "0:42": what is left of a push's life, as the waiting page first shows it (its script then counts down). */
export function formatTimeLeft(expiresAt: string, now: number): string {
  const left = Math.max(0, Math.ceil((Date.parse(expiresAt) - now) / 1000));
  return `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
}

/** Same length and same bytes, without an early exit. */
function isSameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/** The WebAuthn assertion as the browser script posts it; checked for shape before it goes to Holdfast. */
const base64url = z
  .string()
  .max(8192)
  .regex(/^[A-Za-z0-9_-]*$/);
const assertionBody = z.object({
  response: z.strictObject({
    id: base64url,
    rawId: base64url,
    type: z.literal('public-key'),
    authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
    clientExtensionResults: z.record(z.string(), z.unknown()),
    response: z.strictObject({ clientDataJSON: base64url, authenticatorData: base64url, signature: base64url, userHandle: base64url.optional() }),
  }),
});
// Compile-time check that the shape accepted here is what the SDK sends on.
const toSdkAssertion = (value: z.infer<typeof assertionBody>['response']): WebauthnAuthenticationResponse => value;

const credentialsForm = z.object({ userName: z.string().max(64), password: z.string().max(1024) });
const codeForm = z.object({ code: z.string().max(64) });

/** Per-user-name password throttle (in memory, like the sessions): 5 wrong passwords → 30 s pause. */
class PasswordThrottle {
  private readonly failures = new Map<string, { count: number; until: number }>();
  isBlocked(userName: string): boolean {
    const entry = this.failures.get(userName);
    return entry !== undefined && entry.until > Date.now();
  }
  fail(userName: string): void {
    const entry = this.failures.get(userName) ?? { count: 0, until: 0 };
    entry.count += 1;
    if (entry.count >= 5) {
      entry.until = Date.now() + 30_000;
      entry.count = 0;
    }
    this.failures.set(userName, entry);
  }
  succeed(userName: string): void {
    this.failures.delete(userName);
  }
}

export function createDemoApp(options: DemoAppOptions): express.Express {
  const { holdfast, passwords, sessions } = options;
  const isHttps = options.publicUrl.startsWith('https:');
  const throttle = new PasswordThrottle();
  const portalOrigin = new URL(options.portalUrl).origin;
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    // Chromium applies form-action to the redirect after a POST: setup and the hosted page go to the portal.
    `form-action 'self' ${portalOrigin}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use((_req, res, next) => {
    res.set({
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      // The hosted callback carries a one-time code in its query: never send it on as a Referer.
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'cache-control': 'no-store',
    });
    next();
  });
  app.use(express.urlencoded({ extended: false, limit: '16kb' }));
  app.use(express.json({ limit: '64kb' }));

  const setCookie = (res: Response, session: Session): void => {
    res.cookie(cookieName, session.id, { httpOnly: true, sameSite: 'lax', secure: isHttps, path: '/' });
  };
  /** The request's session, or a fresh anonymous one (with its cookie) so even the sign-in form has a CSRF token. */
  const sessionFor = (req: Request, res: Response): Session => {
    const existing = sessions.get(readCookie(req, cookieName));
    if (existing !== null) return existing;
    const created = sessions.create();
    setCookie(res, created);
    return created;
  };
  const advance = (res: Response, session: Session, stage: Session['stage']): Session => {
    const next = sessions.advance(session, stage);
    setCookie(res, next);
    return next;
  };
  /** Every POST carries the session's token (form field or header); a cross-site form cannot know it. */
  const hasValidCsrf = (req: Request, session: Session): boolean => {
    const parsed = z.object({ _csrf: z.string() }).safeParse(req.body);
    const sent = parsed.success ? parsed.data._csrf : req.get('x-csrf-token');
    return sent !== undefined && isSameToken(sent, session.csrfToken);
  };
  const send = (res: Response, status: number, session: Session, title: string, body: SafeHtml, scripts?: readonly string[]): void => {
    res
      .status(status)
      .type('html')
      .send(layout({ title, csrfToken: session.csrfToken, body, ...(scripts === undefined ? {} : { scripts }) }));
  };
  const takeNotice = (session: Session): string | null => {
    const notice = session.notice;
    session.notice = null;
    return notice;
  };
  const csrfField = (session: Session): SafeHtml => html`<input type="hidden" name="_csrf" value="${session.csrfToken}" />`;
  const messages = (options: { notice?: string | null; error?: string | null }): SafeHtml =>
    html`${options.notice !== null && options.notice !== undefined && html`<p class="notice" role="status">${options.notice}</p>`}${
      options.error !== null && options.error !== undefined && html`<p class="error" role="alert">${options.error}</p>`
    }`;

  // ── pages ────────────────────────────────────────────────────────────────────────────────────

  const signInPage = (res: Response, session: Session, view: { status?: number; error?: string; userName?: string } = {}): void => {
    send(
      res,
      view.status ?? 200,
      session,
      'Sign in',
      html`<h1>Sign in</h1>
        ${messages({ notice: takeNotice(session), error: view.error })}
        <form method="post" action="/sign-in">
          ${csrfField(session)}
          <label for="userName">User name</label>
          <input id="userName" name="userName" type="text" autocomplete="username" autocapitalize="none" required value="${view.userName ?? ''}" />
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required />
          <button type="submit">Sign in</button>
        </form>
        <p>New here? <a href="/register">Create an account</a></p>`,
    );
  };

  const registerPage = (res: Response, session: Session, view: { status?: number; error?: string; userName?: string } = {}): void => {
    send(
      res,
      view.status ?? 200,
      session,
      'Create an account',
      html`<h1>Create an account</h1>
        ${messages({ error: view.error })}
        <form method="post" action="/register">
          ${csrfField(session)}
          <label for="userName">User name</label>
          <input
            id="userName"
            name="userName"
            type="text"
            autocomplete="username"
            autocapitalize="none"
            required
            pattern="[a-z0-9][a-z0-9._\\-]{2,31}"
            aria-describedby="userName-hint"
            value="${view.userName ?? ''}"
          />
          <small id="userName-hint">3–32 characters: lower-case letters, digits, dots, dashes or underscores.</small>
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="new-password" required minlength="${minPasswordLength}" />
          <button type="submit">Create account</button>
        </form>
        <p><a href="/">Back to sign in</a></p>`,
    );
  };

  const setupPage = (res: Response, session: Session, userName: string, error: string | null = null): void => {
    send(
      res,
      error === null ? 200 : 503,
      session,
      'Set up two-step verification',
      html`<h1>Set up two-step verification</h1>
        ${messages({ error })}
        <p>Your password is right, ${userName}. This app also asks for a second step, and you have none yet.</p>
        <form method="post" action="/setup">
          ${csrfField(session)}
          <p>Holdfast will help you add an authenticator app or a passkey. Then come back here and sign in again.</p>
          <button type="submit">Set up two-step verification</button>
        </form>
        <form method="post" action="/sign-out" class="inline">${csrfField(session)}<button type="submit" class="link-button">Cancel</button></form>`,
    );
  };

  const verifyPage = async (res: Response, session: Session, userName: string, view: { status?: number; error?: string | null } = {}): Promise<void> => {
    let preauth;
    try {
      preauth = await holdfast.preauth({ userId: userName });
    } catch (error) {
      const message = describeHoldfastError(error);
      if (message === null) throw error;
      send(
        res,
        503,
        session,
        'Second step',
        html`<h1>Second step</h1>
          ${messages({ error: message })}
          <p><a href="/verify">Try again</a></p>`,
      );
      return;
    }
    if (preauth.result === 'enroll') {
      // Every factor was removed meanwhile: back to setup, under the same password check.
      const next = advance(res, session, { kind: 'needs-setup', userName });
      setupPage(res, next, userName);
      return;
    }
    const kinds = new Set(preauth.factors.map((factor) => factor.kind));
    const locked = preauth.factors.filter((factor) => factor.isLocked).map((factor) => factor.label);
    // Phone approval is offered first (as Duo does) when a paired phone can still answer.
    const canPush = preauth.factors.some((factor) => factor.kind === 'push' && !factor.isLocked);
    const stage = session.stage.kind === 'second-step' ? session.stage : null;
    // How the last push ended is said once, beside the other ways to verify.
    const ended = stage?.pushEnded ?? null;
    if (stage !== null) stage.pushEnded = null;
    const waitingPush = stage?.push?.begun ?? null;
    const waiting = waitingPush !== null && Date.parse(waitingPush.expiresAt) > Date.now();
    send(
      res,
      view.status ?? 200,
      session,
      'Second step',
      html`<h1>Confirm it's you</h1>
        <p>Signing in as <strong>${userName}</strong>. Choose a second step:</p>
        ${messages({
          notice: takeNotice(session) ?? (ended?.status === 'expired' ? describePushEnd(ended) : null),
          error: view.error ?? (ended?.status === 'denied' ? describePushEnd(ended) : null),
        })}
        ${locked.length > 0 && html`<p class="notice">Locked for now after too many wrong tries: ${locked.join(', ')}.</p>`}
        ${
          canPush &&
          html`<form method="post" action="/verify/push" class="push-offer" aria-labelledby="push-heading">
            <h2 id="push-heading">Approve on your phone</h2>
            ${csrfField(session)}
            <p>
              ${
                waiting
                  ? 'A request is already waiting on your phone: type the number this page shows there, then approve.'
                  : 'We send a request to your paired phone: type the number this page shows there, then approve.'
              }
            </p>
            <button type="submit">${ended?.status === 'expired' ? 'Send again' : 'Approve on your phone'}</button>
          </form>`
        }
        ${
          kinds.has('webauthn') &&
          html`<section aria-labelledby="passkey-heading">
            <h2 id="passkey-heading">Passkey or security key</h2>
            <button type="button" id="passkey-button">Use a passkey or security key</button>
            <p id="passkey-status" role="alert"></p>
          </section>`
        }
        ${
          kinds.has('totp') &&
          html`<form method="post" action="/verify/totp" aria-labelledby="totp-heading">
            <h2 id="totp-heading">Authenticator app</h2>
            ${csrfField(session)}
            <label for="code">6-digit code</label>
            <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,9}" required autofocus />
            <button type="submit">Verify</button>
          </form>`
        }
        ${
          kinds.has('recovery_codes') &&
          html`<form method="post" action="/verify/recovery-code" aria-labelledby="recovery-heading">
            <h2 id="recovery-heading">Recovery code</h2>
            ${csrfField(session)}
            <label for="recovery-code">Recovery code</label>
            <input id="recovery-code" name="code" type="text" autocomplete="off" autocapitalize="characters" required />
            <button type="submit">Use recovery code</button>
          </form>`
        }
        <form method="post" action="/verify/hosted" aria-labelledby="hosted-heading">
          <h2 id="hosted-heading">Holdfast's verification page</h2>
          ${csrfField(session)}
          <p>Or let Holdfast ask you, on its own page, and send you back here.</p>
          <button type="submit">Continue on Holdfast's page</button>
        </form>
        <form method="post" action="/sign-out" class="inline">${csrfField(session)}<button type="submit" class="link-button">Cancel</button></form>`,
      kinds.has('webauthn') ? ['/passkey.js'] : [],
    );
  };

  const accountPage = (res: Response, session: Session, userName: string, method: string, signedInAt: Date): void => {
    send(
      res,
      200,
      session,
      'Signed in',
      html`<h1>Signed in as ${userName}</h1>
        <p>Second step: ${method}, at ${signedInAt.toISOString().replace('T', ' ').slice(0, 19)} UTC.</p>
        <form method="post" action="/sign-out">${csrfField(session)}<button type="submit">Sign out</button></form>`,
    );
  };

  /** "Type 47 on your phone": the number, the time left, a live status and a no-JavaScript "Check again". */
  const pushWaitPage = (res: Response, session: Session, userName: string, begun: BegunPush, view: { status?: number; message?: string } = {}): void => {
    send(
      res,
      view.status ?? 200,
      session,
      'Approve on your phone',
      html`<h1>Approve on your phone</h1>
        <p>
          Signing in as <strong>${userName}</strong>.
          ${
            begun.deviceCount > 0
              ? 'We sent a sign-in request to your phone.'
              : 'Open the Holdfast push app on your phone: the sign-in request is waiting there.'
          }
        </p>
        <p class="push-prompt">Type <strong class="push-number" data-testid="push-number">${begun.number}</strong> on your phone</p>
        <p class="push-expiry">
          The request expires in <time id="push-countdown" datetime="${begun.expiresAt}">${formatTimeLeft(begun.expiresAt, Date.now())}</time>.
        </p>
        <p id="push-status" role="status" aria-live="polite">${view.message ?? 'When you have answered on your phone, press “Check again”.'}</p>
        <form method="post" action="/verify/push/check" class="inline">
          ${csrfField(session)}
          <button type="submit">Check again</button>
        </form>
        <p><a href="/verify">Choose another way</a></p>
        <form method="post" action="/sign-out" class="inline">${csrfField(session)}<button type="submit" class="link-button">Cancel</button></form>`,
      ['/push.js'],
    );
  };

  /**
   * A push's status applied to the session: approved signs in (a new session id, as every method
   * does), denied or expired ends the push and says so once on the second-step page. Where the
   * browser goes next, or null while the phone has not answered.
   */
  const settlePush = (res: Response, session: Session, stage: SecondStep, status: { status: PushTransactionStatus; reason: string | null }): string | null => {
    switch (status.status) {
      case 'pending':
        return null;
      case 'approved':
        advance(res, session, { kind: 'signed-in', userName: stage.userName, method: 'phone approval', signedInAt: new Date() });
        return '/account';
      case 'denied':
        stage.push = null;
        stage.pushEnded = { status: 'denied', reason: status.reason };
        return '/verify';
      case 'expired':
        stage.push = null;
        stage.pushEnded = { status: 'expired' };
        return '/verify';
    }
  };

  /** The second step passed: a new session id, and the "signed in" page. */
  const signIn = (res: Response, session: Session, userName: string, method: string): void => {
    advance(res, session, { kind: 'signed-in', userName, method, signedInAt: new Date() });
    res.redirect(303, '/account');
  };

  // ── routes ───────────────────────────────────────────────────────────────────────────────────

  app.get('/styles.css', (_req, res) => {
    res.type('text/css').set('cache-control', 'public, max-age=300').send(stylesheet);
  });
  app.get('/passkey.js', (_req, res) => {
    res.type('text/javascript').set('cache-control', 'public, max-age=300').send(passkeyScript);
  });

  app.get('/push.js', (_req, res) => {
    res.type('text/javascript').set('cache-control', 'public, max-age=300').send(pushScript);
  });

  app.get('/', (req, res) => {
    const session = sessionFor(req, res);
    switch (session.stage.kind) {
      case 'signed-in':
        res.redirect(303, '/account');
        return;
      case 'second-step':
        res.redirect(303, '/verify');
        return;
      case 'needs-setup':
        setupPage(res, session, session.stage.userName);
        return;
      case 'anonymous':
        signInPage(res, session);
        return;
    }
  });

  app.get('/register', (req, res) => {
    registerPage(res, sessionFor(req, res));
  });

  app.post('/register', async (req, res) => {
    const session = sessionFor(req, res);
    if (!hasValidCsrf(req, session)) {
      registerPage(res, session, { status: 403, error: 'This form expired. Please try again.' });
      return;
    }
    const form = credentialsForm.safeParse(req.body);
    if (!form.success) {
      registerPage(res, session, { status: 400, error: 'Enter a user name and a password.' });
      return;
    }
    const userName = form.data.userName.trim().toLowerCase();
    const result = await passwords.create(userName, form.data.password);
    switch (result) {
      case 'created':
        session.notice = 'Your account is ready. Sign in.';
        res.redirect(303, '/');
        return;
      case 'taken':
        registerPage(res, session, { status: 409, userName, error: 'That user name is taken. Choose another.' });
        return;
      case 'invalid-name':
        registerPage(res, session, { status: 400, userName, error: 'User names are 3–32 lower-case letters, digits, dots, dashes or underscores.' });
        return;
      case 'weak-password':
        registerPage(res, session, { status: 400, userName, error: `Choose a password of at least ${minPasswordLength} characters.` });
        return;
    }
  });

  app.post('/sign-in', async (req, res) => {
    const session = sessionFor(req, res);
    if (!hasValidCsrf(req, session)) {
      signInPage(res, session, { status: 403, error: 'This form expired. Please try again.' });
      return;
    }
    const form = credentialsForm.safeParse(req.body);
    if (!form.success) {
      signInPage(res, session, { status: 400, error: 'Enter your user name and password.' });
      return;
    }
    const userName = form.data.userName.trim().toLowerCase();
    if (throttle.isBlocked(userName)) {
      signInPage(res, session, { status: 429, userName, error: 'Too many wrong passwords. Wait 30 seconds and try again.' });
      return;
    }
    if (!(await passwords.verify(userName, form.data.password))) {
      throttle.fail(userName);
      signInPage(res, session, { status: 401, userName, error: "That user name and password don't match." });
      return;
    }
    throttle.succeed(userName);
    // The password is right; Holdfast says what comes next. preauth first, so a user with no factor
    // is offered setup instead of a second step they cannot take.
    let preauth;
    try {
      preauth = await holdfast.preauth({ userId: userName });
    } catch (error) {
      const message = describeHoldfastError(error);
      if (message === null) throw error;
      signInPage(res, session, { status: 503, userName, error: message });
      return;
    }
    if (preauth.result === 'enroll') {
      const next = advance(res, session, { kind: 'needs-setup', userName });
      setupPage(res, next, userName);
      return;
    }
    advance(res, session, { kind: 'second-step', userName, webauthnChallengeId: null, hostedState: null, push: null, pushEnded: null });
    res.redirect(303, '/verify');
  });

  app.post('/setup', async (req, res) => {
    const session = sessionFor(req, res);
    if (session.stage.kind !== 'needs-setup' || !hasValidCsrf(req, session)) {
      res.redirect(303, '/');
      return;
    }
    const userName = session.stage.userName;
    try {
      // A one-time link to the portal, made with the API key: the user sets up a factor there.
      const link = await holdfast.createEnrollmentLink({ userId: userName });
      // The password check does not carry over: once set up, the user signs in again, fully.
      const next = advance(res, session, { kind: 'anonymous' });
      next.notice = 'When you have set up two-step verification, sign in again here.';
      res.redirect(303, link.url);
    } catch (error) {
      const message = describeHoldfastError(error);
      if (message === null) throw error;
      setupPage(res, session, userName, message);
    }
  });

  app.get('/verify', async (req, res) => {
    const session = sessionFor(req, res);
    if (session.stage.kind !== 'second-step') {
      res.redirect(303, '/');
      return;
    }
    await verifyPage(res, session, session.stage.userName);
  });

  /** TOTP and recovery codes: one form each, a fresh attempt id per submission (a retry of the same submission is the SDK's job). */
  const codeRoute = (kind: 'totp' | 'recovery-code') => async (req: Request, res: Response) => {
    const session = sessionFor(req, res);
    if (session.stage.kind !== 'second-step' || !hasValidCsrf(req, session)) {
      res.redirect(303, '/');
      return;
    }
    const userName = session.stage.userName;
    const form = codeForm.safeParse(req.body);
    const code = form.success ? form.data.code.replace(/\s+/g, '') : '';
    if (code === '') {
      await verifyPage(res, session, userName, { status: 400, error: 'Enter the code.' });
      return;
    }
    try {
      const attemptId = randomUUID();
      const result =
        kind === 'totp'
          ? await holdfast.verifyTotp({ userId: userName, code, attemptId })
          : await holdfast.verifyRecoveryCode({ userId: userName, code, attemptId });
      if (result.outcome === 'accepted') {
        signIn(res, session, userName, kind === 'totp' ? 'authenticator app' : 'recovery code');
        return;
      }
      await verifyPage(res, session, userName, { status: 401, error: describeRejection(result.reason) });
    } catch (error) {
      const message = describeHoldfastError(error);
      if (message === null) throw error;
      await verifyPage(res, session, userName, { status: 503, error: message });
    }
  };
  app.post('/verify/totp', codeRoute('totp'));
  app.post('/verify/recovery-code', codeRoute('recovery-code'));

  // Passkeys: two JSON calls from /passkey.js around the browser's navigator.credentials.get.
  app.post('/verify/passkey/options', async (req, res) => {
    const session = sessionFor(req, res);
    if (session.stage.kind !== 'second-step' || !hasValidCsrf(req, session)) {
      res.status(403).json({ redirect: '/' });
      return;
    }
    try {
      const begun = await holdfast.webauthnBegin({ userId: session.stage.userName });
      // Only the challenge this session asked for may be finished by it.
      session.stage.webauthnChallengeId = begun.challengeId;
      res.json({ options: begun.options });
    } catch (error) {
      const message = describeHoldfastError(error);
      if (message === null) throw error;
      res.status(503).json({ error: message });
    }
  });

  app.post('/verify/passkey/finish', async (req, res) => {
    const session = sessionFor(req, res);
    if (session.stage.kind !== 'second-step' || !hasValidCsrf(req, session)) {
      res.status(403).json({ redirect: '/' });
      return;
    }
    const { userName, webauthnChallengeId } = session.stage;
    const body = assertionBody.safeParse(req.body);
    if (webauthnChallengeId === null || !body.success) {
      res.status(400).json({ error: 'That passkey answer was not understood. Try again.' });
      return;
    }
    session.stage.webauthnChallengeId = null;
    try {
      const result = await holdfast.webauthnFinish({ userId: userName, challengeId: webauthnChallengeId, response: toSdkAssertion(body.data.response) });
      if (result.outcome === 'accepted') {
        advance(res, session, { kind: 'signed-in', userName, method: 'passkey or security key', signedInAt: new Date() });
        res.json({ redirect: '/account' });
        return;
      }
      res.status(401).json({ error: describeRejection(result.reason) });
    } catch (error) {
      const message = describeHoldfastError(error);
      if (message === null) throw error;
      res.status(503).json({ error: message });
    }
  });

  // "Approve on your phone": begin a push for this session's user, show its number, wait for the phone.
  app.post('/verify/push', async (req, res) => {
    const session = sessionFor(req, res);
    if (session.stage.kind !== 'second-step' || !hasValidCsrf(req, session)) {
      res.redirect(303, '/');
      return;
    }
    const stage = session.stage;
    const begunBefore = stage.push?.begun ?? null;
    // A second press (double submit, the back button) shows the push already waiting, not a new one.
    if (begunBefore !== null && Date.parse(begunBefore.expiresAt) > Date.now()) {
      res.redirect(303, '/verify/push');
      return;
    }
    // A fresh attempt id per push, except after a call that got no answer at all: the gateway may
    // have made that push, and the same id returns it instead of sending a second one (invariant 3).
    const attemptId = stage.push !== null && stage.push.begun === null ? stage.push.attemptId : randomUUID();
    stage.push = { attemptId, begun: null };
    stage.pushEnded = null;
    try {
      const begun = await holdfast.pushBegin({
        userId: stage.userName,
        attemptId,
        // What the phone shows: the address this server saw and a summary of the browser (never the raw header).
        context: pushContextFor({ ip: req.ip, userAgent: req.get('user-agent') }),
      });
      stage.push = {
        attemptId,
        begun: { transactionId: begun.transactionId, number: begun.number, expiresAt: begun.expiresAt, deviceCount: begun.deviceCount },
      };
      // A replayed attempt may already be decided.
      res.redirect(303, settlePush(res, session, stage, { status: begun.status, reason: null }) ?? '/verify/push');
    } catch (error) {
      // A refusal is final for this attempt id; only "no answer" keeps it for the retry.
      if (!(error instanceof HoldfastUnavailableError)) stage.push = null;
      const message = describeHoldfastError(error);
      if (message === null) throw error;
      await verifyPage(res, session, stage.userName, { status: error instanceof HoldfastApiError ? error.httpStatus : 503, error: message });
    }
  });

  app.get('/verify/push', (req, res) => {
    const session = sessionFor(req, res);
    if (session.stage.kind !== 'second-step') {
      res.redirect(303, '/');
      return;
    }
    const begun = session.stage.push?.begun ?? null;
    if (begun === null) {
      res.redirect(303, '/verify');
      return;
    }
    pushWaitPage(res, session, session.stage.userName, begun);
  });

  /**
   * Asks Holdfast about the session's push — the transaction id comes from the session, never from
   * the browser — waiting up to `waitMs` for the phone; the answer is applied to the session.
   */
  const checkPush = async (
    res: Response,
    session: Session,
    stage: SecondStep,
    begun: BegunPush,
    waitMs: number,
  ): Promise<{ state: 'pending' } | { state: 'settled'; redirect: string }> => {
    const status = await holdfast.pushStatus({ transactionId: begun.transactionId, waitMs });
    // While this waited, another request (a second tab, "Check again") may have signed in or moved on.
    if (!sessions.isCurrent(session)) return { state: 'settled', redirect: '/' };
    if (stage.push?.begun?.transactionId !== begun.transactionId) return { state: 'settled', redirect: '/verify' };
    const redirect = settlePush(res, session, stage, status);
    return redirect === null ? { state: 'pending' } : { state: 'settled', redirect };
  };

  // The waiting page's script long-polls this (JSON; the CSRF token in a header, so a link or a
  // cross-site navigation cannot make it sign a session in).
  app.get('/verify/push/status', async (req, res) => {
    const session = sessionFor(req, res);
    if (session.stage.kind !== 'second-step' || !hasValidCsrf(req, session)) {
      res.status(403).json({ redirect: '/' });
      return;
    }
    const stage = session.stage;
    const begun = stage.push?.begun ?? null;
    if (begun === null) {
      res.json({ redirect: '/verify' });
      return;
    }
    try {
      const checked = await checkPush(res, session, stage, begun, pushWaitMs);
      res.json(checked.state === 'pending' ? { state: 'pending' } : { redirect: checked.redirect });
    } catch (error) {
      const message = describeHoldfastError(error);
      if (message === null) throw error;
      if (error instanceof HoldfastApiError) {
        // Holdfast refused to say (the push is unknown to it): end this push, say why.
        stage.push = null;
        session.notice = message;
        res.json({ redirect: '/verify' });
        return;
      }
      res.status(503).json({ state: 'error', message });
    }
  });

  // Without JavaScript: one status check per press.
  app.post('/verify/push/check', async (req, res) => {
    const session = sessionFor(req, res);
    if (session.stage.kind !== 'second-step' || !hasValidCsrf(req, session)) {
      res.redirect(303, '/');
      return;
    }
    const stage = session.stage;
    const begun = stage.push?.begun ?? null;
    if (begun === null) {
      res.redirect(303, '/verify');
      return;
    }
    try {
      const checked = await checkPush(res, session, stage, begun, 0);
      if (checked.state === 'settled') {
        res.redirect(303, checked.redirect);
        return;
      }
      pushWaitPage(res, session, stage.userName, begun, { message: 'No answer yet. Type the number on your phone and approve, then check again.' });
    } catch (error) {
      const message = describeHoldfastError(error);
      if (message === null) throw error;
      if (error instanceof HoldfastApiError) {
        stage.push = null;
        await verifyPage(res, session, stage.userName, { status: error.httpStatus, error: message });
        return;
      }
      pushWaitPage(res, session, stage.userName, begun, { status: 503, message });
    }
  });

  // Hosted verification: Holdfast's page asks, then sends the browser back with a one-time code.
  app.post('/verify/hosted', async (req, res) => {
    const session = sessionFor(req, res);
    if (session.stage.kind !== 'second-step' || !hasValidCsrf(req, session)) {
      res.redirect(303, '/');
      return;
    }
    const userName = session.stage.userName;
    // `state` ties the callback to this session: a code delivered into another browser is refused.
    const state = randomToken();
    try {
      const transaction = await holdfast.createTransaction({ userId: userName, callbackUrl: `${options.publicUrl}/verify/hosted/callback`, state });
      session.stage.hostedState = state;
      res.redirect(303, transaction.url);
    } catch (error) {
      const message = describeHoldfastError(error);
      if (message === null) throw error;
      await verifyPage(res, session, userName, { status: 503, error: message });
    }
  });

  app.get('/verify/hosted/callback', async (req, res) => {
    const session = sessionFor(req, res);
    const query = z.object({ code: z.string().min(1).max(512), state: z.string().min(1).max(512) }).safeParse(req.query);
    if (
      session.stage.kind !== 'second-step' ||
      session.stage.hostedState === null ||
      !query.success ||
      !isSameToken(query.data.state, session.stage.hostedState)
    ) {
      session.notice = 'That verification does not belong to this browser session. Sign in again.';
      res.redirect(303, '/');
      return;
    }
    const userName = session.stage.userName;
    session.stage.hostedState = null;
    try {
      // Server to server, naming the user this session expects: another user's code is refused.
      const result = await holdfast.redeemResult({ code: query.data.code, userId: userName });
      signIn(res, session, userName, `Holdfast's verification page (${result.amr.join(', ')})`);
    } catch (error) {
      const message = describeHoldfastError(error);
      if (message === null) throw error;
      await verifyPage(res, session, userName, { status: 400, error: message });
    }
  });

  app.get('/account', (req, res) => {
    const session = sessionFor(req, res);
    if (session.stage.kind !== 'signed-in') {
      res.redirect(303, '/');
      return;
    }
    accountPage(res, session, session.stage.userName, session.stage.method, session.stage.signedInAt);
  });

  app.post('/sign-out', (req, res) => {
    const session = sessionFor(req, res);
    if (!hasValidCsrf(req, session)) {
      res.redirect(303, '/');
      return;
    }
    const next = advance(res, session, { kind: 'anonymous' });
    next.notice = session.stage.kind === 'signed-in' ? 'You are signed out.' : null;
    res.redirect(303, '/');
  });

  app.use((_req: Request, res: Response) => {
    res.status(404).type('text/plain').send('Not found');
  });
  // Express 5 forwards rejected handlers here; the user gets a sentence, the log gets the error.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = z.object({ status: z.number().int().min(400).max(499) }).safeParse(error);
    if (status.success) {
      res.status(status.data.status).type('text/plain').send('That request was not understood.');
      return;
    }
    console.error('demo: unexpected error', error);
    res.status(500).type('text/plain').send('Something went wrong on our side. Try again.');
  });
  return app;
}
