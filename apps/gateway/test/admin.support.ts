import { createAdminAccount } from '@holdfast/api';
import { generateTotpCode, timeStepAt } from '@holdfast/core';
import type { Database } from '@holdfast/db';
import type { AdminRole } from '@holdfast/validators';
import { randomBytes, randomUUID } from 'node:crypto';
import { defaultParams, postTrpc } from './support/fixtures';

/** What a tRPC call answered: the data, or the error's Holdfast code and message. */
export interface TrpcAnswer {
  status: number;
  data: unknown;
  code: string | null;
  message: string | null;
}

function answerOf(status: number, json: unknown): TrpcAnswer {
  const body = json as { result?: { data?: unknown }; error?: { message?: string; data?: { holdfastCode?: string } } } | null;
  return { status, data: body?.result?.data ?? null, code: body?.error?.data?.holdfastCode ?? null, message: body?.error?.message ?? null };
}

export async function mutate(url: string, procedure: string, input: unknown, bearer?: string): Promise<TrpcAnswer> {
  const { status, json } = await postTrpc(url, procedure, input ?? {}, bearer);
  return answerOf(status, json);
}

export async function query(url: string, procedure: string, bearer?: string, input?: unknown): Promise<TrpcAnswer> {
  const search = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const response = await fetch(`${url}/trpc/${procedure}${search}`, { headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` } });
  return answerOf(response.status, await response.json().catch(() => null));
}

/** The data of a successful answer, typed by the caller (`dataOf<Shape>(…)`: the test's expectation of the wire). */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the shape it expects
export function dataOf<T = unknown>(answer: TrpcAnswer): T {
  if (answer.code !== null || answer.status !== 200) throw new Error(`expected success, got ${answer.status} ${answer.code ?? ''}: ${answer.message ?? ''}`);
  return answer.data as T;
}

/** An admin made the way the CLI makes one (same service), with a random email. */
export async function createTestAdmin(db: Database, role: AdminRole): Promise<{ id: string; email: string; password: string }> {
  const email = `${role}-${randomUUID().slice(0, 8)}@holdfast.example`;
  const password = randomBytes(18).toString('base64url');
  const created = await createAdminAccount({
    deps: { db, gateway: { id: 'test', region: 'test' }, random: (size) => new Uint8Array(randomBytes(size)), clock: () => new Date() },
    email,
    name: `Test ${role}`,
    role,
    password,
    createdBy: 'cli',
  });
  return { id: created.id, email, password };
}

/**
 * Hands out TOTP codes for one secret, each of a later time step than the last (a code is single
 * use per step): the current step if unused, else the next one (inside the accepted window).
 */
export function totpCodes(secret: string): { next: () => Promise<string>; current: () => Promise<string> } {
  let lastStep = -1;
  const period = defaultParams.period;
  return {
    async next() {
      for (;;) {
        const now = new Date();
        const step = Math.max(timeStepAt({ at: now, period }), lastStep + 1);
        if (step <= timeStepAt({ at: now, period }) + 1) {
          lastStep = step;
          return generateTotpCode({ secret, params: defaultParams, at: new Date(step * period * 1000) });
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    },
    /** The last code handed out again (to test replay). */
    async current() {
      return generateTotpCode({ secret, params: defaultParams, at: new Date(lastStep * period * 1000) });
    },
  };
}

export interface SignedIn {
  sessionToken: string;
  admin: { id: string; email: string; role: AdminRole };
}

/** First sign-in of a new admin, enrolling TOTP; returns the session and the code source. */
export async function signInEnrollingTotp(
  url: string,
  admin: { email: string; password: string },
): Promise<{ session: SignedIn; codes: ReturnType<typeof totpCodes> }> {
  const started = dataOf<{ pendingToken: string; mustEnroll: boolean }>(
    await mutate(url, 'admin.auth.signIn', { email: admin.email, password: admin.password }),
  );
  if (!started.mustEnroll) throw new Error('expected a first sign-in');
  const begun = dataOf<{ secretBase32: string }>(await mutate(url, 'admin.auth.enrollTotpBegin', { pendingToken: started.pendingToken }));
  const codes = totpCodes(begun.secretBase32);
  const session = dataOf<SignedIn>(await mutate(url, 'admin.auth.enrollTotpConfirm', { pendingToken: started.pendingToken, code: await codes.next() }));
  return { session, codes };
}
