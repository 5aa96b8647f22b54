import { createDatabase } from '@holdfast/db';
import { expect, test } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { captureAdminPage, expectNoSidewaysScroll, signInNewAdmin } from '../src/admin';
import { expectAccessible } from '../src/axe';
import { readState } from '../src/state';

test.describe.configure({ timeout: 180_000 });

// A type alias (not an interface): Prisma's JSON input needs the implicit index signature.
type Target = { name: string; isMet: boolean; value: string };

/** A drill_reports row shaped like apps/cluster's report (DrillReportData as the summary JSON). */
function drillReport(options: { scenario: string; startedAt: Date; isPassed: boolean; targets: Target[]; dipAt: number }) {
  const durationS = 30;
  const timeline = Array.from({ length: durationS }, (_, second) => {
    const isDip = second >= options.dipAt && second < options.dipAt + 3;
    return {
      second,
      sent: 20,
      accepted: isDip ? (second === options.dipAt ? 2 : 11) : 20,
      p50: 14,
      p99: isDip ? 2400 - (second - options.dipAt) * 600 : 48,
      max: 60,
    };
  });
  const sent = timeline.reduce((sum, point) => sum + point.sent, 0);
  const accepted = timeline.reduce((sum, point) => sum + point.accepted, 0);
  const events = [
    { atMs: 1_000, what: 'load started' },
    { atMs: options.dipAt * 1000, what: 'killed the leader pg1' },
    { atMs: options.dipAt * 1000 + 4_200, what: 'pg2 promoted (timeline 2)' },
  ];
  const summary = {
    scenario: options.scenario,
    description: `Kill the Postgres leader under load (${options.scenario})`,
    startedAt: options.startedAt.toISOString(),
    finishedAt: new Date(options.startedAt.getTime() + durationS * 1000).toISOString(),
    settings: { ratePerSecond: 20, durationMs: durationS * 1000, deadlineMs: 8000, disruptAtMs: options.dipAt * 1000, hedgeAfterMs: 0, gateways: ['gw-r1-1'] },
    events,
    fresh: { sent, accepted, rejected: {}, errors: { GATEWAY_UNAVAILABLE: sent - accepted }, successRate: accepted / sent },
    latencyMs: { p50: 14, p99: options.isPassed ? 1800 : 2400, max: 2600 },
    writeOutageMs: options.isPassed ? 4200 : 9100,
    timeline,
    failures: [],
    checks: { acknowledged: accepted, lostAcknowledged: [], auditMissing: [], replaysSent: 5, replaysAccepted: [], acceptedNotAcknowledged: 0 },
    push: null,
    outage: null,
    audit: { isVerified: true },
    isPassed: options.isPassed,
    targets: options.targets,
  };
  const markdown = [
    `# Drill: ${options.scenario} — ${options.isPassed ? 'PASSED' : 'FAILED'}`,
    '',
    '## Targets',
    '',
    ...options.targets.map((target) => `- ${target.isMet ? '✅' : '❌'} ${target.name}: ${target.value}`),
    '',
  ].join('\n');
  return {
    id: randomUUID(),
    scenario: options.scenario,
    startedAt: options.startedAt,
    finishedAt: new Date(options.startedAt.getTime() + durationS * 1000),
    isPassed: options.isPassed,
    summary,
    markdown,
  };
}

test('[ADMIN_DRILLS] drill reports from drill_reports are listed; a failed one shows its missed target and the per-second chart with a text summary', async ({
  page,
}, testInfo) => {
  const passed = drillReport({
    scenario: 'primary-kill',
    startedAt: new Date(Date.now() - 3 * 3600_000),
    isPassed: true,
    dipAt: 10,
    targets: [
      { name: 'write outage ≤ 30 s', isMet: true, value: '4.20 s' },
      { name: 'lost acknowledged writes = 0', isMet: true, value: '0' },
    ],
  });
  const failed = drillReport({
    scenario: 'region-partition',
    startedAt: new Date(Date.now() - 3600_000),
    isPassed: false,
    dipAt: 12,
    targets: [
      { name: 'write outage ≤ 8 s', isMet: false, value: '9.10 s' },
      { name: 'lost acknowledged writes = 0', isMet: true, value: '0' },
    ],
  });
  const db = createDatabase({ url: readState().databaseUrl, poolMax: 1 });
  try {
    await db.prisma.drillReport.createMany({ data: [passed, failed] });
  } finally {
    await db.close();
  }

  await signInNewAdmin(page, { name: 'Dora Driller', role: 'auditor', factor: 'totp' });
  // The section bar wraps at 375 px: every section, Drills included, is on screen without sideways scrolling.
  await expect(page.getByTestId('overview-connection')).toHaveText(/^Live/);
  await page.setViewportSize({ width: 375, height: 812 });
  await expectNoSidewaysScroll(page);
  await expect(page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Drills' })).toBeInViewport();
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Drills' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Drills' })).toBeVisible();
  const list = page.getByTestId('drill-list');
  const passedRow = list.getByRole('row').filter({ hasText: 'primary-kill' });
  const failedRow = list.getByRole('row').filter({ hasText: 'region-partition' });
  await expect(passedRow).toContainText('✓ Passed');
  await expect(passedRow).toContainText('4.20 s');
  await expect(failedRow).toContainText('✗ Failed');
  await expect(failedRow).toContainText('9.10 s');
  await expect(failedRow).toContainText('2,400 ms');
  await expect(failedRow).toContainText('0 lost / 0 replays');
  // The screenshots also check that nothing scrolls sideways at 1280 and 375 px.
  await captureAdminPage(page, testInfo, 'drills');
  await expectAccessible(page, testInfo, 'admin drills');

  await failedRow.getByRole('link', { name: /region-partition/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Drill: region-partition' })).toBeVisible();
  await expect(page.getByTestId('drill-verdict')).toHaveText('✗ Failed: 1 target missed.');
  const targets = page.getByTestId('drill-targets');
  await expect(targets.getByRole('listitem').filter({ hasText: 'write outage ≤ 8 s' })).toContainText('✗ Missed');
  await expect(targets.getByRole('listitem').filter({ hasText: 'lost acknowledged writes = 0' })).toContainText('✓ Met');

  // The chart is drawn (SVG), an image with a name and a description in words.
  const chart = page.getByRole('img', { name: 'region-partition: requests sent, accepted and p99 latency per second' });
  await expect(chart).toBeVisible();
  await expect(chart).toHaveAccessibleDescription(/30 seconds of load\. .*The fewest accepted: 2 of 20 at second 12\. .*highest at second 12\./);
  expect(await chart.locator('path.dc-line').count()).toBe(3);
  await expect(page.getByTestId('drill-chart-summary')).toContainText('killed the leader pg1');
  await expect(page.getByRole('heading', { level: 2, name: 'Events' })).toBeVisible();

  // The markdown report is there to read and to download.
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download the report (Markdown)' }).click();
  expect((await download).suggestedFilename()).toMatch(/^drill-region-partition-.*\.md$/);
  await page.getByText('Show the report as text').click();
  await expect(page.getByRole('region', { name: 'Markdown report' })).toContainText('❌ write outage ≤ 8 s: 9.10 s');

  await captureAdminPage(page, testInfo, 'drill-report');
  await expectAccessible(page, testInfo, 'admin drill report');
});
