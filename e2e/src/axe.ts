// The accessibility bar every screen must clear: an axe-core scan with the WCAG 2.2 AA rule set
// (A and AA of WCAG 2.0, 2.1 and 2.2). A violation fails the test with what axe found, where, and
// how to fix it; the full result is attached to the test.
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, type TestInfo } from '@playwright/test';

const wcag22aa = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

export async function expectAccessible(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(wcag22aa).analyze();
  await testInfo.attach(`axe ${name}`, { body: JSON.stringify(results.violations, null, 2), contentType: 'application/json' });
  const found = results.violations.map(
    (violation) =>
      `${violation.id} (${violation.impact ?? 'n/a'}): ${violation.help} — ${violation.helpUrl}\n` +
      violation.nodes.map((node) => `    ${node.target.join(' ')}: ${node.failureSummary ?? ''}`.replace(/\n/g, ' ')).join('\n'),
  );
  expect(found, `axe WCAG 2.2 AA violations on "${name}" (${page.url()})`).toEqual([]);
}
