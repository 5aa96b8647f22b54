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
