// Regions as networks (issue 14): with `--netns`, every region is a network namespace joined to a
// bridge namespace by a veth link, so "region 1 is cut off" is one link set down while every
// process in it keeps running — the failure that loopback kills cannot show (split brain, clients
// stranded with the old primary). Addresses come from the benchmarking range 198.18.0.0/15 and
// exist only inside namespaces made here; no namespace has a default route, so nothing reaches the
// host's interfaces. Only `ip` (iproute2) is used: no netem on these kernels, and none needed —
// a partition drops packets, it does not refuse connections.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ClusterConfig, NetnsLayout, RegionLayout } from './config';
import { clientNamespaceEnvironment, insideClientNamespace } from './env';

function ip(args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function namespaceExists(name: string): boolean {
  return existsSync(`/run/netns/${name}`) || existsSync(`/var/run/netns/${name}`);
}

/** Whether this machine can make namespaces: root and iproute2 (the loopback layout is the fallback). */
export function canUseNetns(): { ok: true } | { ok: false; why: string } {
  if (process.getuid?.() !== 0) return { ok: false, why: 'network namespaces need root' };
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return { ok: false, why: '`ip` (iproute2) is not installed' };
  }
  return { ok: true };
}

function netnsOf(config: ClusterConfig): NetnsLayout {
  if (config.network.mode !== 'netns') throw new Error('the cluster is not in netns mode');
  return config.network;
}

/** The link on the bridge side for a namespace (≤ 15 characters, unique inside the bridge namespace). */
function bridgePort(namespace: string): string {
  return namespace.slice(namespace.indexOf('-') + 1);
}

/** Joins `namespace` to the bridge with `address`/24 on its eth0 (and its loopback up). */
function attach(layout: NetnsLayout, namespace: string, address: string): void {
  const port = bridgePort(namespace);
  ip(['-n', layout.bridge, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', namespace]);
  ip(['-n', layout.bridge, 'link', 'set', port, 'master', 'br0', 'up']);
  ip(['-n', namespace, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
  ip(['-n', namespace, 'link', 'set', 'eth0', 'up']);
  ip(['-n', namespace, 'link', 'set', 'lo', 'up']);
  setKeepalives(namespace);
}

/**
 * TCP keepalives are per network namespace: in the cluster's, a silent peer is found in ~11 s
 * (idle 5 s, then 3 probes 2 s apart) instead of the kernel's 2 hours. Every socket that asks for
 * keepalives gets them this way — libpq's (Patroni, pg_rewind, walreceiver) included, whose
 * interval Patroni does not let us set. The partition-flapping drill found a pg_rewind whose
 * source connection was cut mid-read waiting forever, the old primary stopped for good behind it.
 */
function setKeepalives(namespace: string): void {
  execFileSync(
    'ip',
    ['netns', 'exec', namespace, 'sysctl', '-q', '-w', 'net.ipv4.tcp_keepalive_time=5', 'net.ipv4.tcp_keepalive_intvl=2', 'net.ipv4.tcp_keepalive_probes=3'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
}

function allNamespaces(config: ClusterConfig): string[] {
  const layout = netnsOf(config);
  return [layout.bridge, layout.client, ...config.regions.map((r) => r.namespace ?? '')].filter((n) => n !== '');
}

/** Creates the namespaces and links (idempotent: an existing, complete layout is kept as it is). */
export function createNetworks(config: ClusterConfig, log: (line: string) => void): void {
  const layout = netnsOf(config);
  if (allNamespaces(config).every(namespaceExists)) {
    // Kept as it is, with today's keepalive settings (a layout made before them gets them too),
    // and every link up: an interrupted partition drill may have left a region cut off.
    for (const name of allNamespaces(config).filter((n) => n !== layout.bridge)) {
      setKeepalives(name);
      ip(['-n', layout.bridge, 'link', 'set', bridgePort(name), 'up']);
    }
    return;
  }
  // A half-made layout (an interrupted `up`) is removed first: links are made once, whole.
  removeNetworks(config, () => undefined);
  for (const name of allNamespaces(config)) ip(['netns', 'add', name]);
  ip(['-n', layout.bridge, 'link', 'add', 'br0', 'type', 'bridge']);
  ip(['-n', layout.bridge, 'link', 'set', 'br0', 'up']);
  attach(layout, layout.client, layout.clientHost);
  for (const region of config.regions) attach(layout, region.namespace ?? '', region.host);
  log(`network namespaces: ${allNamespaces(config).join(', ')} on ${layout.subnet} (bridge ${layout.bridge})`);
}

/** Deleting a namespace deletes its end of each veth, and with it the peer: nothing is left behind. */
export function removeNetworks(config: ClusterConfig, log: (line: string) => void): void {
  const removed: string[] = [];
  for (const name of allNamespaces(config)) {
    if (!namespaceExists(name)) continue;
    ip(['netns', 'delete', name]);
    removed.push(name);
  }
  if (removed.length > 0) log(`removed network namespaces ${removed.join(', ')}`);
}

/** Cuts a region off (its link to the bridge down: packets vanish, nothing is refused) or heals it. */
export function setRegionLink(config: ClusterConfig, region: RegionLayout, isUp: boolean): void {
  const layout = netnsOf(config);
  if (region.namespace === null) throw new Error(`${region.name} has no namespace`);
  ip(['-n', layout.bridge, 'link', 'set', bridgePort(region.namespace), isUp ? 'up' : 'down']);
}

/** The command line that runs `command` inside a region's namespace (the same PID: `ip netns exec` execs). */
export function inRegion(region: RegionLayout, command: string, args: string[]): { command: string; args: string[] } {
  return region.namespace === null ? { command, args } : { command: 'ip', args: ['netns', 'exec', region.namespace, command, ...args] };
}

/**
 * In netns mode, every command that talks to the cluster runs inside the client namespace (the
 * host has no route to the regions): this re-runs the current command there and returns its exit
 * code, or null when this process already is where it should be (loopback, or re-run already).
 */
export function rerunInClientNamespace(config: ClusterConfig): number | null {
  if (config.network.mode !== 'netns' || insideClientNamespace()) return null;
  try {
    execFileSync('ip', ['netns', 'exec', config.network.client, process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: clientNamespaceEnvironment(),
    });
    return 0;
  } catch (error) {
    const status = (error as { status?: number | null }).status;
    return typeof status === 'number' ? status : 1;
  }
}
