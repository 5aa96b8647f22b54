// `npm run cluster [-- --netns]` (up), `npm run cluster:down`, `npm run cluster:status`, `npm run cluster:install`.
import { runClusterCommand } from '../commands';

const args = process.argv.slice(2);
// `npm run cluster -- rolling-restart` arrives as `up rolling-restart`: a named command wins over the script's `up`.
const command = args.filter((a) => !a.startsWith('--')).find((a) => a !== 'up') ?? 'up';
const code = await runClusterCommand(
  command,
  args.filter((a) => a.startsWith('--')),
);
if (code !== 0) process.exit(code);
