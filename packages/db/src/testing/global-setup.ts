// Vitest globalSetup: one real Postgres per test run, shared by the package's test files (each
// file creates its own database with createTestDatabase).
import type { TestProject } from 'vitest/node';
import { startTestPostgres } from './test-postgres';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startTestPostgres();
  project.provide('pgAdminUrl', server.url);
  return () => server.stop();
}
