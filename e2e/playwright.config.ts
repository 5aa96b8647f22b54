import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: './specs',
  // Starts Postgres, two gateways and the built web app on free ports; its returned function stops them.
  globalSetup: './src/global-setup.ts',
  // Two cores: one browser at a time keeps timings honest (and the specs share one database).
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  outputDir: 'test-results',
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    // Debian's Chromium with the flags that work on these machines (see ../shared notes, STACK.md):
    // no sandbox (root), no GPU, and no network lookups except localhost.
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
      ],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
