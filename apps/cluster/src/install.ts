// `npm run cluster:install`: the cluster's parts from Debian, installed on purpose and only here
// (`npm run cluster` never installs anything; it says what is missing).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ClusterConfig } from './config';
import { clusterEnvironment } from './env';

// iproute2 (`ip`): regions as network namespaces (`npm run cluster -- --netns`, issue 14).
export const clusterDebianPackages = ['patroni', 'etcd-server', 'etcd-client', 'haproxy', 'python3-etcd', 'python3-psycopg2', 'iproute2'] as const;

function isInstalled(debianPackage: string): boolean {
  try {
    execFileSync('dpkg', ['-s', debianPackage], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function isSystemdRunning(): boolean {
  try {
    execFileSync('systemctl', ['is-system-running'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The Debian packages still to install: the cluster's, and postgresql-15 unless its server is there. */
export function missingClusterPackages(config: ClusterConfig): string[] {
  const wanted: string[] = [...clusterDebianPackages];
  if (!existsSync(path.join(config.pgBinDir, 'postgres'))) wanted.push('postgresql-15');
  return wanted.filter((p) => !isInstalled(p));
}

/** Installs what is missing (as root, with apt-get) and keeps systemd from starting the packages' own services. */
export function installClusterPackages(config: ClusterConfig, log: (line: string) => void): void {
  const missing = missingClusterPackages(config);
  if (missing.length === 0) {
    log('the cluster packages are installed');
  } else {
    if (process.getuid?.() !== 0) {
      throw new Error(`missing: ${missing.join(', ')}. Run as root, or: sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`);
    }
    log(`installing ${missing.join(' ')} from Debian`);
    const env = { ...clusterEnvironment(), DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  }
  // Where systemd runs, the packages start their own etcd/patroni/haproxy on the cluster's ports.
  if (isSystemdRunning()) {
    for (const unit of ['etcd', 'patroni', 'haproxy']) {
      try {
        execFileSync('systemctl', ['disable', '--now', unit], { stdio: 'ignore' });
      } catch {
        // that unit is not installed
      }
    }
  }
}
