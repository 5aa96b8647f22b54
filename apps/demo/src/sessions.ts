// Sessions in memory (a demo: a restart signs everyone out), keyed by 256-bit random ids. The id
// changes whenever the session gains privilege (password checked, second step passed), so an id
// planted before sign-in is worthless afterwards (session fixation).
import { randomBytes } from 'node:crypto';

/**
 * "Approve on your phone": the attempt id is chosen before `pushBegin` is called, so a call that
 * failed without an answer is retried with the same id (the gateway then returns the transaction it
 * may already have made, instead of a second push); `begun` is what the gateway answered.
 */
export interface SessionPush {
  attemptId: string;
  begun: { transactionId: string; number: string; expiresAt: string; deviceCount: number } | null;
}

/** How the last push ended without approval, shown once on the second-step page. */
export type SessionPushEnd = { status: 'denied'; reason: string | null } | { status: 'expired' };

export type SessionStage =
  | { kind: 'anonymous' }
  /** Password checked, no factor yet: only "Set up two-step verification" is offered. */
  | { kind: 'needs-setup'; userName: string }
  /** Password checked; the second step is pending (a passkey challenge, hosted state or push may be open). */
  | {
      kind: 'second-step';
      userName: string;
      webauthnChallengeId: string | null;
      hostedState: string | null;
      push: SessionPush | null;
      pushEnded: SessionPushEnd | null;
    }
  | { kind: 'signed-in'; userName: string; method: string; signedInAt: Date };

export interface Session {
  id: string;
  /** Synchronizer token: every form and fetch sends it back (the cookie alone proves nothing). */
  csrfToken: string;
  stage: SessionStage;
  /** One message shown on the next page (e.g. after a redirect). */
  notice: string | null;
  expiresAt: number;
}

/** Idle lifetime; the half-signed-in stages are short so a password alone does not linger. */
const lifetimeMs = { anonymous: 30 * 60_000, 'needs-setup': 10 * 60_000, 'second-step': 10 * 60_000, 'signed-in': 60 * 60_000 } as const;

export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    this.sweeper = setInterval(() => {
      this.sweep();
    }, 60_000);
    // Sweeping must not keep the process alive at shutdown.
    this.sweeper.unref();
  }

  get(id: string | undefined): Session | null {
    if (id === undefined) return null;
    const session = this.sessions.get(id);
    if (session === undefined) return null;
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(id);
      return null;
    }
    session.expiresAt = this.now() + lifetimeMs[session.stage.kind];
    return session;
  }

  create(): Session {
    const session: Session = { id: randomToken(), csrfToken: randomToken(), stage: { kind: 'anonymous' }, notice: null, expiresAt: 0 };
    session.expiresAt = this.now() + lifetimeMs.anonymous;
    this.sessions.set(session.id, session);
    return session;
  }

  /** Moves the session to a new stage under a new id and a new CSRF token; the old id stops working. */
  advance(session: Session, stage: SessionStage): Session {
    this.sessions.delete(session.id);
    const next: Session = { id: randomToken(), csrfToken: randomToken(), stage, notice: null, expiresAt: this.now() + lifetimeMs[stage.kind] };
    this.sessions.set(next.id, next);
    return next;
  }

  /** False once the session was advanced or destroyed: a request that waited (a long-poll) must not act on it. */
  isCurrent(session: Session): boolean {
    return this.sessions.get(session.id) === session && session.expiresAt > this.now();
  }

  destroy(session: Session): void {
    this.sessions.delete(session.id);
  }

  sweep(): void {
    const now = this.now();
    for (const [id, session] of this.sessions) if (session.expiresAt <= now) this.sessions.delete(id);
  }

  close(): void {
    clearInterval(this.sweeper);
  }
}
