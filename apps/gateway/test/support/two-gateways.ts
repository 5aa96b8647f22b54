import { afterAll, beforeAll } from 'vitest';
import { startEnvironment } from './fixtures';

export type TestEnvironment = Awaited<ReturnType<typeof startEnvironment>>;

/**
 * The environment of the push tests (and any test that wants "begun on one gateway, answered on
 * the other"): a fresh database and two gateway processes, started in the calling `describe`'s
 * beforeAll and stopped in its afterAll. Read it inside tests: the getters throw before beforeAll.
 */
export interface TwoGatewayEnvironment extends Omit<TestEnvironment, 'stop'> {
  /** The first gateway's URL. */
  readonly a: string;
  /** The second gateway's URL. */
  readonly b: string;
  /** Both URLs, first gateway first. */
  urls: () => [string, string];
}

export function useTwoGatewayEnvironment(options: { env?: Record<string, string> } = {}): TwoGatewayEnvironment {
  let started: TestEnvironment | undefined;
  beforeAll(async () => {
    started = await startEnvironment({ gateways: 2, ...options });
  });
  afterAll(async () => {
    await started?.stop();
  });

  function current(): TestEnvironment {
    if (started === undefined) throw new Error('the environment starts in beforeAll: use it inside tests');
    return started;
  }
  function urls(): [string, string] {
    const [first, second] = current().gateways;
    if (first === undefined || second === undefined) throw new Error('two gateways expected');
    return [first.url, second.url];
  }
  return {
    get databaseUrl() {
      return current().databaseUrl;
    },
    get gatewayDatabaseUrl() {
      return current().gatewayDatabaseUrl;
    },
    get db() {
      return current().db;
    },
    get gateways() {
      return current().gateways;
    },
    get a() {
      return urls()[0];
    },
    get b() {
      return urls()[1];
    },
    urls,
  };
}
