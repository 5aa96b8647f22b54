// `npm pack` / `npm publish` ship a different package.json from the one the workspace uses:
//   workspace: `exports` → ./src/index.ts (TypeScript source, what vitest, tsx, tsc and Next.js
//              import inside the monorepo, no build needed), @holdfast/* listed as dependencies;
//   published: `exports` → dist/ (ESM, CJS, types), no @holdfast/* dependencies (bundled in by
//              scripts/build.mjs), no scripts or devDependencies.
// npm applies `publishConfig` only to its own config (registry, access, tag), never to `exports`
// or `dependencies`, so `prepack` swaps the file (`publish`) and `postpack` puts it back (`restore`).
// The workspace manifest waits in node_modules/, which is neither packed nor committed.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const backupDir = 'node_modules/.holdfast-pack';
const backup = `${backupDir}/package.json`;
const mode = process.argv[2];

function fail(message) {
  console.error(`pack-manifest: ${message}`);
  process.exit(1);
}

if (mode === 'restore') {
  if (!existsSync(backup)) fail(`${backup} is missing: nothing to restore`);
  copyFileSync(backup, 'package.json');
  rmSync(backupDir, { recursive: true, force: true });
  process.exit(0);
}
if (mode !== 'publish') fail('usage: node scripts/pack-manifest.mjs publish|restore');

if (existsSync(backup)) {
  // A pack that died between prepack and postpack left the published manifest in place.
  console.warn('pack-manifest: restoring the workspace package.json left by an interrupted pack');
  copyFileSync(backup, 'package.json');
}
const workspace = JSON.parse(readFileSync('package.json', 'utf8'));
for (const file of ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts']) {
  if (!existsSync(file)) fail(`${file} is missing: run the build first`);
}
const dependencies = Object.fromEntries(Object.entries(workspace.dependencies ?? {}).filter(([name]) => !name.startsWith('@holdfast/')));
for (const [name, version] of Object.entries(dependencies)) {
  // Exact versions: what the SDK was tested with is what an application gets.
  if (!/^\d+\.\d+\.\d+$/.test(version)) fail(`dependency ${name}@${version} is not an exact version`);
}
const { scripts: _scripts, devDependencies: _devDependencies, ...rest } = workspace;
const published = {
  ...rest,
  exports: {
    '.': {
      import: { types: './dist/index.d.ts', default: './dist/index.js' },
      require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
    },
    './package.json': './package.json',
  },
  dependencies,
};
mkdirSync(backupDir, { recursive: true });
copyFileSync('package.json', backup);
writeFileSync('package.json', `${JSON.stringify(published, null, 2)}\n`);
