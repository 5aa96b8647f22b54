// The one place apps/cluster reads its environment (lint forbids `process.env` elsewhere):
// config.ts validates the HOLDFAST_* settings from it, and the processes the cluster starts get a
// PATH from it and nothing else.
export function clusterEnvironment(): Record<string, string | undefined> {
  return process.env;
}

/** The search path handed to every process the cluster starts (they get no other inherited setting). */
export function childPath(): string {
  return process.env.PATH ?? '/usr/bin:/bin';
}

/** netns mode: this process was re-run inside the client namespace (see netns.ts). */
export function insideClientNamespace(): boolean {
  return process.env.HOLDFAST_CLUSTER_IN_CLIENT_NETNS === '1';
}

/** The environment of the re-run command: this one's, marked as inside the client namespace. */
export function clientNamespaceEnvironment(): NodeJS.ProcessEnv {
  return { ...process.env, HOLDFAST_CLUSTER_IN_CLIENT_NETNS: '1', HOLDFAST_CLUSTER_NETWORK: 'netns' };
}
