// One build for every package: bundle src/index.ts (or the files given) to dist/ as ESM for Node,
// leaving npm dependencies external. Workspace packages are consumed as TypeScript source inside
// the monorepo (see ARCHITECTURE.md); dist/ is what a deployment or a publish would ship.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const entryPoints = process.argv.slice(2);
await build({
  entryPoints: entryPoints.length > 0 ? entryPoints : ['src/index.ts'],
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  packages: 'external',
  logLevel: 'warning',
});
console.log(`built ${pkg.name}`);
