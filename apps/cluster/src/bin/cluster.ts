// `npm run cluster` (up), `npm run cluster:down`, `npm run cluster:status`.
import { clusterDown, clusterStatus, clusterUp } from '../cluster';
import { readClusterConfig } from '../config';

const command = process.argv[2] ?? 'up';
const config = readClusterConfig();
const log = (line: string): void => { console.log(`[cluster] ${line}`); };
const started = Date.now();
switch (command) {
  case 'up':
    await clusterUp(config, log);
    log(`up in ${((Date.now() - started) / 1000).toFixed(1)} s; state and logs in ${config.dir}`);
    console.log(await clusterStatus(config));
    break;
  case 'down':
    await clusterDown(config, log);
    break;
  case 'status':
    console.log(await clusterStatus(config));
    break;
  default:
    console.error(`unknown command ${command}: use up, down or status`);
    process.exit(2);
}
