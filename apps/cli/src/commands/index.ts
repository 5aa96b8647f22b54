// Every `holdfast` subcommand: what it does (for the usage text) and how to run it.
import { runClusterCommand } from '@holdfast/cluster';
import { runAdminCommand } from './admin';
import { runAuditCommand } from './audit';
import { rotateKeys } from './rotate-keys';
import { StartConfigurationError, StartFailedError, startPlatform } from './start';

export interface Command {
  summary: string;
  /** Resolves with the exit code; a command that keeps servers running (start) resolves once they are up. */
  run: (args: readonly string[]) => Promise<number>;
}

export const commands: Readonly<Record<string, Command>> = {
  start: {
    summary: 'the whole platform with zero setup: embedded Postgres, a gateway, the web app, a demo application',
    run: async () => {
      try {
        await startPlatform();
      } catch (error) {
        if (error instanceof StartFailedError) {
          console.error(`holdfast start: ${error.message}`);
          return 1;
        }
        if (!(error instanceof StartConfigurationError)) throw error;
        console.error(`holdfast start: ${error.message}`);
        return 2;
      }
      return 0;
    },
  },
  'rotate-keys': {
    summary: 're-wrap every stored secret under HOLDFAST_ACTIVE_KEY_ID',
    run: async () => {
      await rotateKeys();
      return 0;
    },
  },
  cluster: {
    summary: 'the three-region HA cluster (loopback, or network namespaces with up --netns): up | down | status | install | rolling-restart',
    run: (args) =>
      runClusterCommand(
        args.find((a) => !a.startsWith('--')) ?? 'up',
        args.filter((a) => a.startsWith('--')),
      ),
  },
  audit: {
    summary: 'the sealed audit log: verify (rows, tree, signed checkpoints) | proof <event id> | export --format ocsf|ecs|ndjson',
    run: runAuditCommand,
  },
  admin: { summary: 'admin console accounts: create --email <e> --name <n> --role owner|admin|helpdesk|auditor', run: runAdminCommand },
};

export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`);
  return `usage: holdfast <command> [arguments]\n\ncommands:\n${lines.join('\n')}`;
}
