// One build for every package: bundle src/index.ts (or the files given) to dist/ as ESM for Node,
// leaving npm dependencies external. Workspace packages are consumed as TypeScript source inside
// the monorepo (see ARCHITECTURE.md); dist/ is what a deployment or a publish would ship.
//
// `--runnable`: for a program that node runs from dist/ (the gateway): the @holdfast/* workspace
// packages are bundled in (they export TypeScript source, which node cannot load), npm packages
// stay external (resolved from node_modules as usual), and shared code is split into chunks so an
// entry that loads little (the gateway's cluster primary) does not evaluate the whole program.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const args = process.argv.slice(2);
const isRunnable = args.includes('--runnable');
const entryPoints = args.filter((arg) => !arg.startsWith('--'));

/** Every bare import except the workspace's own packages stays an import of node_modules. */
const npmPackagesExternal = {
  name: 'npm-packages-external',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, (resolve) => (resolve.path.startsWith('@holdfast/') ? undefined : { path: resolve.path, external: true }));
  },
};

// Split chunks get content-hashed names: without a clean dist/, every build would leave the last one's behind.
if (isRunnable) rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: entryPoints.length > 0 ? entryPoints : ['src/index.ts'],
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  ...(isRunnable ? { plugins: [npmPackagesExternal], splitting: true } : { packages: 'external' }),
});
console.log(`built ${pkg.name}`);
