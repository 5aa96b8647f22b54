// `npm run cluster [-- --netns]` (up), `npm run cluster:down`, `npm run cluster:status`, `npm run cluster:install`.
import { runClusterCommand } from '../commands';

const args = process.argv.slice(2);
const command = args.find((a) => !a.startsWith('--')) ?? 'up';
const code = await runClusterCommand(
  command,
  args.filter((a) => a.startsWith('--')),
);
if (code !== 0) process.exit(code);
