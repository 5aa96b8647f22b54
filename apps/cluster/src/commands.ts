// The cluster's operations commands, shared by `npm run cluster*` and `holdfast cluster <command>`.
import { clusterDown, clusterStatus, clusterUp } from './cluster';
import { readClusterConfig } from './config';
import { installClusterPackages } from './install';

export const clusterCommands = ['up', 'down', 'status', 'install'] as const;

/** Runs one cluster command; resolves with the process exit code. */
export async function runClusterCommand(command: string): Promise<number> {
  const config = readClusterConfig();
  const log = (line: string): void => {
    console.log(`[cluster] ${line}`);
  };
  const started = Date.now();
  switch (command) {
    case 'up':
      await clusterUp(config, log);
      log(`up in ${((Date.now() - started) / 1000).toFixed(1)} s; state and logs in ${config.dir}`);
      console.log(await clusterStatus(config));
      return 0;
    case 'down':
      await clusterDown(config, log);
      return 0;
    case 'status':
      console.log(await clusterStatus(config));
      return 0;
    case 'install':
      installClusterPackages(config, log);
      return 0;
    default:
      console.error(`unknown command ${command}: use ${clusterCommands.join(', ')}`);
      return 2;
  }
}
