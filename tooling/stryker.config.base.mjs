// StrykerJS, shared by each package's `stryker.config.mjs`; `npm run test:mutation` runs every
// package that has one, from the repository root (`stryker run packages/<name>/stryker.config.mjs`).
// Paths are relative to the root because the sandbox must mirror the repository: each package's
// tsconfig.json extends `../../tooling/tsconfig.base.json`, which a sandbox inside the package would
// break (and the package's own `eslint .` and `vitest run` would pick the sandbox up meanwhile).

/**
 * @param {string} name folder under packages/
 * @param {{ mutate?: string[] }} [options] extra mutate patterns (e.g. `!` exclusions)
 * @returns {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export function strykerConfigFor(name, options = {}) {
  const dir = `packages/${name}`;
  return {
    packageManager: 'npm',
    testRunner: 'vitest',
    plugins: ['@stryker-mutator/vitest-runner'],
    vitest: { dir },
    mutate: [`${dir}/src/**/*.ts`, `!${dir}/src/**/*.test.ts`, `!${dir}/src/test-support/**`, ...(options.mutate ?? [])],
    // Copy only what the package's tests need into the sandbox (gitignore syntax: all out, some back in).
    ignorePatterns: ['/*', '!/package.json', '!/tooling', '!/packages', '/packages/*', `!/${dir}`],
    tempDirName: `.stryker-tmp/${name}`,
    incremental: true,
    incrementalFile: `reports/mutation/${name}.incremental.json`,
    reporters: ['clear-text', 'progress', 'html', 'json'],
    htmlReporter: { fileName: `reports/mutation/${name}.html` },
    jsonReporter: { fileName: `reports/mutation/${name}.json` },
    // The machine is shared (two cores): one test-runner process at a time.
    concurrency: 1,
    thresholds: { high: 90, low: 85, break: 85 },
    timeoutMS: 10000,
    // Static mutants (module-level constants: zod schemas, tables) need a fresh module graph per
    // mutant and so most of the run time; they count by default (validators is almost all static).
    // STRYKER_IGNORE_STATIC=1 skips them for a quick look while killing survivors.
    ignoreStatic: process.env.STRYKER_IGNORE_STATIC === '1',
  };
}
