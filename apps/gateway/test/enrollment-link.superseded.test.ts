import { createApplication } from '@holdfast/db';
import { createEnrollmentClient, createHoldfastClient } from '@holdfast/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postTrpc, startEnvironment } from './support/fixtures';

/**
 * Issue 8, hole 2: links lived 24 h, older links stayed valid next to newer ones, and sessions could
 * not be ended. Now a link lasts 15 minutes by default (at most 60), a new link for a user ends
 * every older link AND every session opened from one, and a session can be ended by the user.
 */
describe('[LINK_SUPERSEDED] a new enrollment link ends the older links and their sessions', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 2 });
  });
  afterAll(async () => {
    await env.stop();
  });

  async function setup() {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    const { apiKey } = await createApplication({ prisma: env.db.prisma, name: `links-${Math.random().toString(36).slice(2, 8)}` });
    const app = createHoldfastClient({ gateways: [a.url], apiKey, probeIntervalMs: 0 });
    return { app, urlA: a.url, urlB: b.url };
  }

  /** A tRPC query is a GET (the portal and SDK send queries that way). */
  async function getTrpc(url: string, procedure: string, bearer: string): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${url}/trpc/${procedure}`, { headers: { authorization: `Bearer ${bearer}` } });
    return { status: response.status, json: await response.json().catch(() => null) };
  }

  async function refusal(call: Promise<unknown>): Promise<unknown> {
    return call.then(
      () => 'allowed',
      (error: unknown) => error,
    );
  }

  it('an older unredeemed link no longer redeems once a newer one exists; the newest does', async () => {
    const { app, urlB } = await setup();
    const first = await app.createEnrollmentLink({ userId: 'carol' });
    const second = await app.createEnrollmentLink({ userId: 'carol' });
    const otherUsers = await app.createEnrollmentLink({ userId: 'dave' });

    const old = await postTrpc(urlB, 'enrollment.redeem', { token: first.token });
    expect(old.status).toBe(412);
    expect(old.json).toMatchObject({ error: { data: { holdfastCode: 'ENROLLMENT_LINK_SUPERSEDED' } } });
    expect((await postTrpc(urlB, 'enrollment.redeem', { token: second.token })).status).toBe(200);
    // Another user's link is not touched.
    expect((await postTrpc(urlB, 'enrollment.redeem', { token: otherUsers.token })).status).toBe(200);

    const user = await env.db.prisma.user.findFirstOrThrow({ where: { externalId: 'carol' }, select: { id: true } });
    expect(await env.db.prisma.auditEvent.count({ where: { userId: user.id, type: 'enrollment.link_superseded' } })).toBe(1);
  });

  it('a new link ends the session opened from an older link, even a stepped-up one', async () => {
    const { app, urlA, urlB } = await setup();
    const first = await app.createEnrollmentLink({ userId: 'erin' });
    const portal = createEnrollmentClient({ gateways: [urlA] });
    const { sessionToken } = await portal.redeem(first.token);
    expect((await portal.factors()).factors).toEqual([]);
    await env.db.prisma.enrollmentLink.updateMany({ where: { user: { externalId: 'erin' }, sessionHash: { not: null } }, data: { steppedUpAt: new Date() } });

    await app.createEnrollmentLink({ userId: 'erin' });
    const ended = await getTrpc(urlB, 'enrollment.factors', sessionToken);
    expect(ended.status).toBe(401);
    expect(ended.json).toMatchObject({ error: { data: { holdfastCode: 'ENROLLMENT_SESSION_INVALID' } } });
    expect(await refusal(portal.beginTotp())).toMatchObject({ code: 'ENROLLMENT_SESSION_INVALID' });
  });

  it('logout ends the session and its link; the link cannot be redeemed again', async () => {
    const { app, urlA, urlB } = await setup();
    const link = await app.createEnrollmentLink({ userId: 'frank' });
    const portal = createEnrollmentClient({ gateways: [urlA] });
    const { sessionToken } = await portal.redeem(link.token);
    expect(await portal.logout()).toEqual({ isEnded: true });
    expect((await getTrpc(urlB, 'enrollment.factors', sessionToken)).status).toBe(401);
    expect(await portal.logout().catch((e: unknown) => e)).toMatchObject({ code: 'ENROLLMENT_SESSION_INVALID' });
    expect((await postTrpc(urlB, 'enrollment.redeem', { token: link.token })).json).toMatchObject({
      error: { data: { holdfastCode: 'ENROLLMENT_LINK_USED' } },
    });
    const user = await env.db.prisma.user.findFirstOrThrow({ where: { externalId: 'frank' }, select: { id: true } });
    expect(await env.db.prisma.auditEvent.count({ where: { userId: user.id, type: 'enrollment.session_ended' } })).toBe(1);
  });

  it('links last 15 minutes by default and at most 60', async () => {
    const { app } = await setup();
    const before = Date.now();
    const link = await app.createEnrollmentLink({ userId: 'grace' });
    const ttl = new Date(link.expiresAt).getTime() - before;
    expect(ttl).toBeGreaterThan(15 * 60_000 - 5_000);
    expect(ttl).toBeLessThanOrEqual(15 * 60_000 + 5_000);
    const hour = await app.createEnrollmentLink({ userId: 'grace', ttlSeconds: 3600 });
    expect(new Date(hour.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(3600_000);
    expect(await refusal(app.createEnrollmentLink({ userId: 'grace', ttlSeconds: 24 * 3600 }))).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('inspecting a link (what the portal GET page does) neither redeems nor burns it', async () => {
    const { app, urlB } = await setup();
    const link = await app.createEnrollmentLink({ userId: 'heidi' });
    // Only this user's rows and enrollment events: the gateways' canaries write their own meanwhile.
    const trail = { OR: [{ type: { startsWith: 'enrollment.' } }, { type: 'request.rejected' }] };
    const auditBefore = await env.db.prisma.auditEvent.count({ where: trail });
    for (let i = 0; i < 3; i += 1) {
      const peek = await fetch(`${urlB}/trpc/enrollment.inspectLink?input=${encodeURIComponent(JSON.stringify({ token: link.token }))}`);
      expect(await peek.json()).toMatchObject({ result: { data: { state: 'valid' } } });
    }
    expect(await env.db.prisma.auditEvent.count({ where: trail })).toBe(auditBefore);
    expect((await postTrpc(urlB, 'enrollment.redeem', { token: link.token })).status).toBe(200);
    const used = await fetch(`${urlB}/trpc/enrollment.inspectLink?input=${encodeURIComponent(JSON.stringify({ token: link.token }))}`);
    expect(await used.json()).toMatchObject({ result: { data: { state: 'used' } } });
  });
});
