// `npm run cluster` (up), `npm run cluster:down`, `npm run cluster:status`, `npm run cluster:install`.
import { runClusterCommand } from '../commands';

const code = await runClusterCommand(process.argv[2] ?? 'up');
if (code !== 0) process.exit(code);
