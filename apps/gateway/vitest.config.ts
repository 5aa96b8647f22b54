import { configDefaults, defineConfig } from 'vitest/config';

// Files that measure time or make load: a latency bar, a deadline, a flood or surge, the worker
// count, a timed takeover, failover or partition. They run one at a time, after the rest, with the
// machine to themselves. Also here: enrollment-link.superseded, whose first call is a
// default-deadline SDK call to a gateway that has just started (its Prisma client is built lazily)
// and which, beside another file, outlasted the per-try timeout once; and sdk.packed-install, whose
// `npm pack` rewrites packages/sdk/package.json while it packs (a file importing @holdfast/sdk beside
// it could read it half-way).
const serialFiles = [
  'test/flood.test.ts',
  'test/surge.admission.test.ts',
  'test/workers.test.ts',
  'test/cache.invalidation.test.ts',
  'test/sdk.failover.test.ts',
  'test/sdk.push.test.ts',
  'test/push.begin.test.ts',
  'test/hosted.push.test.ts',
  'test/audit.takeover.test.ts',
  'test/audit.stream.test.ts',
  'test/audit.spool.test.ts',
  'test/admin.overview.test.ts',
  'test/admin.audit.test.ts',
  'test/sdk.packed-install.test.ts',
  'test/enrollment-link.superseded.test.ts',
  'test/partition.cut-off.test.ts',
];

export default defineConfig({
  test: {
    globalSetup: ['../../packages/db/src/testing/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    // Each file starts its own database and gateway processes on free ports, so files do not share
    // state. Most of a file's time is waiting (TOTP steps, expiries, long-polls), so on two cores the
    // rest run two at a time; the timing files above run alone, afterwards (groupOrder).
    projects: [
      {
        extends: true,
        test: {
          name: 'shared',
          include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...serialFiles],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'alone', include: serialFiles, fileParallelism: false, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
