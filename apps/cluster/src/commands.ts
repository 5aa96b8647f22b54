// The cluster's operations commands, shared by `npm run cluster*` and `holdfast cluster <command>`.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { clusterDown, clusterStatus, clusterUp } from './cluster';
import { networkModeFile, readClusterConfig } from './config';
import { clusterEnvironment } from './env';
import { installClusterPackages } from './install';
import { canUseNetns, createNetworks, removeNetworks, rerunInClientNamespace } from './netns';
import { rollingRestart } from './rolling-restart';

export const clusterCommands = ['up', 'down', 'status', 'install', 'rolling-restart'] as const;

/**
 * Runs one cluster command; resolves with the process exit code. `--netns` (with `up`) lays the
 * regions out as network namespaces (issue 14); later commands follow the recorded mode.
 */
export async function runClusterCommand(command: string, flags: readonly string[] = []): Promise<number> {
  const wantsNetns = flags.includes('--netns');
  if (wantsNetns && command !== 'up') {
    console.error('--netns applies to `up`; the other commands follow the mode the cluster was brought up in');
    return 2;
  }
  const config = readClusterConfig(wantsNetns ? { ...clusterEnvironment(), HOLDFAST_CLUSTER_NETWORK: 'netns' } : clusterEnvironment());
  const log = (line: string): void => {
    console.log(`[cluster] ${line}`);
  };
  const started = Date.now();
  if (command === 'install') {
    installClusterPackages(config, log);
    return 0;
  }
  if (!(clusterCommands as readonly string[]).includes(command)) {
    console.error(`unknown command ${command}: use ${clusterCommands.join(', ')}`);
    return 2;
  }
  // netns mode: the namespaces are made and removed from here (the host's namespace); everything
  // that talks to the cluster runs again inside the client namespace.
  if (config.network.mode === 'netns') {
    if (command === 'up') {
      const usable = canUseNetns();
      if (!usable.ok) {
        console.error(`--netns: ${usable.why} (the loopback layout, without --netns, needs neither)`);
        return 2;
      }
      // etcd keeps its members' peer URLs in its data: a directory made on loopback cannot come up
      // on the namespaces' addresses (nor the other way round), so it is never reused silently.
      if (!existsSync(networkModeFile(config.dir)) && existsSync(path.join(config.dir, config.regions[0]?.etcd.name ?? 'etcd1'))) {
        console.error(`${config.dir} holds a loopback cluster: \`npm run cluster:down\`, then remove it (or set HOLDFAST_CLUSTER_DIR) before \`up --netns\``);
        return 2;
      }
      await mkdir(config.dir, { recursive: true, mode: 0o711 });
      await writeFile(networkModeFile(config.dir), `${JSON.stringify({ mode: 'netns' })}\n`);
      createNetworks(config, log);
    }
    const rerun = rerunInClientNamespace(config);
    if (rerun !== null) {
      // network.json stays: the directory's data belongs to this mode (see above).
      if (command === 'down') removeNetworks(config, log);
      return rerun;
    }
  }
  switch (command) {
    case 'up':
      await clusterUp(config, log);
      log(`up in ${((Date.now() - started) / 1000).toFixed(1)} s; state and logs in ${config.dir}`);
      console.log(await clusterStatus(config));
      return 0;
    case 'down':
      await clusterDown(config, log);
      return 0;
    case 'rolling-restart': {
      // Issue 14: maintenance without downtime (replicas, switchover, old leader, gateways).
      const result = await rollingRestart(config, log);
      log(`rolling restart done in ${(result.tookMs / 1000).toFixed(1)} s (leader ${result.leaderBefore} → ${result.leaderAfter ?? '?'})`);
      console.log(await clusterStatus(config));
      return 0;
    }
    default:
      console.log(await clusterStatus(config));
      return 0;
  }
}
