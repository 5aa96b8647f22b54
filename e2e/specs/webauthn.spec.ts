import { createApplication, createDatabase } from '@holdfast/db';
import { createHoldfastClient, type HoldfastClient } from '@holdfast/sdk';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { expectAccessible } from '../src/axe';
import { capturePage, continueFromLink, newUserId } from '../src/portal';
import { readState } from '../src/state';
import { addVirtualAuthenticator, getAssertion } from '../src/webauthn';

/** The relying application's SDK pinned to one gateway, so a test decides where each call lands. */
function clientOn(gateway: 'a' | 'b', apiKey = readState().apiKey): HoldfastClient {
  const [a, b] = readState().gatewayUrls;
  const url = gateway === 'a' ? a : b;
  if (url === undefined) throw new Error('two gateways expected');
  return createHoldfastClient({ gateways: [url], apiKey, probeIntervalMs: 0 });
}

/** Opens an enrollment link and adds the virtual authenticator's passkey in the portal, as a person would. */
async function registerInPortal(page: Page, testInfo: TestInfo, options: { userId: string; apiKey?: string; label: string; capture?: boolean }): Promise<void> {
  const link = await clientOn('a', options.apiKey).createEnrollmentLink({ userId: options.userId });
  await continueFromLink(page, link.url);
  await expect(page.getByRole('heading', { level: 2, name: 'Security key or passkey' })).toBeVisible();
  if (options.capture === true) await capturePage(page, testInfo, 'passkey-start');
  await page.getByLabel('Name for this key').fill(options.label);
  await page.getByRole('button', { name: 'Add a security key or passkey' }).click();
  await expect(page.getByText(/Your security key or passkey is added/)).toBeVisible();
  await expect(page.getByRole('listitem').filter({ hasText: options.label })).toContainText('Security key or passkey');
}

async function auditCount(options: { userId: string; type: string }): Promise<number> {
  const db = createDatabase({ url: readState().databaseUrl, poolMax: 1 });
  try {
    return await db.prisma.auditEvent.count({
      where: { type: options.type, userId: (await db.prisma.user.findFirstOrThrow({ where: { externalId: options.userId } })).id },
    });
  } finally {
    await db.close();
  }
}

test('[ENROLL_PASSKEY] register a passkey in the portal, then log in: challenge from gateway A, finished on gateway B', async ({ page }, testInfo) => {
  const userId = newUserId('passkey');
  await addVirtualAuthenticator(page);
  await registerInPortal(page, testInfo, { userId, label: 'Laptop passkey', capture: true });
  // The authenticator model is known by its AAGUID, so the list names it.
  await expect(page.getByRole('listitem').filter({ hasText: 'Laptop passkey' })).toContainText('Chromium virtual authenticator');
  await capturePage(page, testInfo, 'passkey-added');
  await expectAccessible(page, testInfo, 'passkey-added');

  const preauth = await clientOn('b').preauth({ userId });
  expect(preauth).toMatchObject({
    result: 'auth',
    factors: [{ kind: 'webauthn', label: 'Laptop passkey', authenticatorName: 'Chromium virtual authenticator' }],
  });

  const begun = await clientOn('a').webauthnBegin({ userId });
  expect(begun.options.allowCredentials).toHaveLength(1);
  const response = await getAssertion(page, begun.options);
  const result = await clientOn('b').webauthnFinish({ userId, challengeId: begun.challengeId, response });
  expect(result).toMatchObject({ outcome: 'accepted', reason: null, gatewayId: 'gw-e2e-b' });

  // The same authenticator again: the browser refuses (it is excluded), and the page says why in words.
  await page.getByRole('button', { name: 'Add another key' }).click();
  await page.getByRole('button', { name: 'Add a security key or passkey' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'already registered' })).toBeVisible();
  await capturePage(page, testInfo, 'passkey-already-registered');

  // The portal's list shows it was used.
  await page.reload();
  await expect(page.getByRole('listitem').filter({ hasText: 'Laptop passkey' })).not.toContainText('Last used never');
});

test('[PASSKEY_UV] an application that requires user verification rejects an assertion made without it', async ({ page }, testInfo) => {
  const db = createDatabase({ url: readState().databaseUrl, poolMax: 1 });
  const strict = await createApplication({ prisma: db.prisma, name: 'E2E app requiring UV' });
  await db.prisma.application.update({ where: { id: strict.applicationId }, data: { allowedOrigins: [readState().webUrl], userVerification: 'required' } });
  await db.close();

  const userId = newUserId('passkey-uv');
  const authenticator = await addVirtualAuthenticator(page);
  await registerInPortal(page, testInfo, { userId, apiKey: strict.apiKey, label: 'Work key' });

  // The authenticator stops verifying the user (no PIN or fingerprint), and the page asks it not to.
  await authenticator.setUserVerified(false);
  const begun = await clientOn('a', strict.apiKey).webauthnBegin({ userId });
  expect(begun.options.userVerification).toBe('required');
  const response = await getAssertion(page, begun.options, { userVerification: 'discouraged' });
  const result = await clientOn('b', strict.apiKey).webauthnFinish({ userId, challengeId: begun.challengeId, response });
  expect(result).toMatchObject({ outcome: 'rejected', reason: 'verification_failed' });
  await capturePage(page, testInfo, 'passkey-uv');
});

test('[PASSKEY_CLONE] a replayed assertion and a counter that goes back are rejected and audited; the passkey is suspended', async ({ page }, testInfo) => {
  const userId = newUserId('passkey-clone');
  await addVirtualAuthenticator(page);
  await registerInPortal(page, testInfo, { userId, label: 'Old key' });

  // Two logins begun; the earlier assertion carries the lower signature counter.
  const first = await clientOn('a').webauthnBegin({ userId });
  const earlier = await getAssertion(page, first.options);
  const second = await clientOn('a').webauthnBegin({ userId });
  const later = await getAssertion(page, second.options);
  // A third, begun before anything is finished: its counter is the highest.
  const third = await clientOn('a').webauthnBegin({ userId });
  const fresh = await getAssertion(page, third.options);
  expect(await clientOn('b').webauthnFinish({ userId, challengeId: second.challengeId, response: later })).toMatchObject({ outcome: 'accepted' });

  // The same assertion again under a new attempt id: its challenge is spent.
  expect(await clientOn('a').webauthnFinish({ userId, challengeId: second.challengeId, response: later })).toMatchObject({
    outcome: 'rejected',
    reason: 'replay',
  });
  // A valid signature on a fresh challenge, but a counter lower than the one already seen.
  expect(await clientOn('b').webauthnFinish({ userId, challengeId: first.challengeId, response: earlier })).toMatchObject({
    outcome: 'rejected',
    reason: 'clone_suspected',
  });
  expect(await auditCount({ userId, type: 'webauthn.clone_suspected' })).toBe(1);
  expect(await auditCount({ userId, type: 'verify.rejected' })).toBe(2);
  // Suspended: even a valid assertion with a higher counter is refused from now on, and no new login can begin.
  expect(await clientOn('b').webauthnFinish({ userId, challengeId: third.challengeId, response: fresh })).toMatchObject({
    outcome: 'rejected',
    reason: 'factor_not_active',
  });
  expect(await auditCount({ userId, type: 'factor.suspended' })).toBe(1);
  await expect(clientOn('a').webauthnBegin({ userId })).rejects.toMatchObject({ code: 'FACTOR_NOT_FOUND' });
  await capturePage(page, testInfo, 'passkey-clone');
});
