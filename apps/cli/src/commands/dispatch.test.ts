import { runToExit } from '@holdfast/process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { commands, usage } from './index';

const bin = fileURLToPath(new URL('../bin/holdfast.ts', import.meta.url));

describe('[CLI_DISPATCH] the holdfast command', () => {
  it('lists every command, those still to come included', () => {
    expect(Object.keys(commands)).toEqual(['start', 'rotate-keys', 'cluster', 'audit', 'admin']);
    for (const name of Object.keys(commands)) expect(usage()).toContain(`  ${name} `);
  });

  it('says a command is not yet available, and refuses an unknown one, with exit code 2', async () => {
    expect(await runToExit({ args: ['--import', 'tsx', bin, 'admin'], stdio: 'ignore' })).toBe(2);
    expect(await runToExit({ args: ['--import', 'tsx', bin, 'no-such-command'], stdio: 'ignore' })).toBe(2);
    expect(await runToExit({ args: ['--import', 'tsx', bin, '--help'], stdio: 'ignore' })).toBe(0);
  });
});
