// Builds what `npm pack` ships (see README.md, "Publishing"): dist/index.js (ESM), dist/index.cjs
// (CommonJS) and one bundled declaration file, dist/index.d.ts, copied to dist/index.d.cts so
// TypeScript types `require` consumers as CommonJS. The workspace's own @holdfast/* packages are
// bundled in (they are private and export TypeScript source); npm packages stay imports of the
// package's `dependencies`. Inside the monorepo nothing uses dist/: package.json's `exports` point
// at src/ until scripts/pack-manifest.mjs swaps them for the published ones.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

/** Bundle the workspace's packages, keep every npm package (and node:*) an import. */
const npmPackagesExternal = {
  name: 'npm-packages-external',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, (resolve) => (resolve.path.startsWith('@holdfast/') ? undefined : { path: resolve.path, external: true }));
  },
};

rmSync('dist', { recursive: true, force: true });
const common = {
  entryPoints: ['src/index.ts'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [npmPackagesExternal],
};
await build({ ...common, format: 'esm', outfile: 'dist/index.js' });
await build({ ...common, format: 'cjs', outfile: 'dist/index.cjs' });

// One declaration file: @holdfast/validators' types and the WebAuthn JSON interfaces are inlined;
// zod stays an import (the validators' types are zod-inferred), hence a dependency.
const dtsBundleGenerator = createRequire(import.meta.url).resolve('dts-bundle-generator/dist/bin/dts-bundle-generator.js');
execFileSync(
  process.execPath,
  [
    dtsBundleGenerator,
    '--project',
    'tsconfig.build.json',
    '--external-inlines',
    '@simplewebauthn/browser',
    '--export-referenced-types',
    'false',
    '--no-banner',
    '--silent',
    '--no-check',
    '-o',
    'dist/index.d.ts',
    'src/index.ts',
  ],
  { stdio: 'inherit' },
);
copyFileSync('dist/index.d.ts', 'dist/index.d.cts');
console.log(`built ${pkg.name}@${pkg.version}`);
