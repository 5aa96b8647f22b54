import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { ProcessStartError, runToExit, StartCancelledError, startProcess } from './start-process';

/** A `node -e` program, run with this Node. */
const node = (program: string): string[] => ['-e', program];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

describe('[PROCESS] start, wait until ready, stop by PID', () => {
  it('waits for a line on stdout, collects output, and stops with SIGTERM', async () => {
    const child = await startProcess({
      name: 'liner',
      args: node("console.error('starting'); setTimeout(() => console.log('listening on 1234'), 200); setInterval(() => {}, 1000);"),
      ready: { line: /^listening on \d+$/ },
    });
    expect(child.isRunning()).toBe(true);
    expect(child.pid).toBeGreaterThan(0);
    expect(child.output()).toContain('starting');
    expect(child.output()).toContain('listening on 1234');
    const exit = await child.stop();
    expect(exit.signal).toBe('SIGTERM');
    expect(child.isRunning()).toBe(false);
  });

  it('waits until a URL answers', async () => {
    const port = await freePort();
    const child = await startProcess({
      name: 'server',
      args: node(`setTimeout(() => require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1'), 300);`),
      ready: { url: `http://127.0.0.1:${port}/` },
    });
    expect(await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text())).toBe('ok');
    await child.stop();
  });

  it('escalates to SIGKILL when the process ignores SIGTERM', async () => {
    const child = await startProcess({
      name: 'stubborn',
      args: node("process.on('SIGTERM', () => console.log('ignoring SIGTERM')); console.log('ready'); setInterval(() => {}, 1000);"),
      ready: { line: /^ready$/ },
      stopTimeoutMs: 500,
    });
    const started = Date.now();
    const exit = await child.stop();
    expect(exit.signal).toBe('SIGKILL');
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(child.output()).toContain('ignoring SIGTERM');
    expect(await child.exited).toEqual(exit);
  });

  it('reports a process that exits before it is ready, with its output', async () => {
    const failing = startProcess({ name: 'crasher', args: node("console.error('bad config'); process.exit(3);"), ready: { line: /never/ } });
    await expect(failing).rejects.toThrow(ProcessStartError);
    await expect(failing).rejects.toThrow(/crasher exited early:\nbad config/);
  });

  it('stops a process that does not become ready in time', async () => {
    const error = await startProcess({
      name: 'silent',
      args: node("process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);"),
      ready: { line: /never/ },
      readyTimeoutMs: 300,
      stopTimeoutMs: 200,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProcessStartError);
    expect((error as ProcessStartError).message).toMatch(/silent did not print a line matching \/never\/ within 0.3 s/);
    const { pid } = error as ProcessStartError;
    expect(pid).toBeGreaterThan(0);
    // Gone (it ignored SIGTERM, so SIGKILL ended it): signal 0 only checks that the PID exists.
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('keeps only the last maxOutputChars of output, and passes every chunk to onOutput', async () => {
    const seen: string[] = [];
    const child = await startProcess({
      name: 'chatty',
      args: node("process.stdout.write('x'.repeat(5000) + '\\nend\\n'); setInterval(() => {}, 1000);"),
      ready: { line: /^end$/ },
      maxOutputChars: 100,
      onOutput: (chunk) => {
        seen.push(chunk);
      },
    });
    expect(child.output().length).toBeLessThanOrEqual(100);
    expect(child.output().endsWith('end\n')).toBe(true);
    expect(seen.join('').length).toBe(5005);
    await child.kill();
  });

  it('runs a command to its exit code', async () => {
    expect(await runToExit({ args: node('process.exit(4)'), stdio: 'ignore' })).toBe(4);
    expect(await runToExit({ command: '/nonexistent/command', args: [], stdio: 'ignore' })).toBe(1);
  });

  // A launcher's Ctrl-C during start-up: the child being waited for must not outlive it.
  it('cancels a start in progress: the child is stopped, by its PID, and nothing is spawned once cancelled', async () => {
    const controller = new AbortController();
    const pids: number[] = [];
    const starting = startProcess({
      name: 'slow starter',
      args: node('console.log(process.pid); setInterval(() => {}, 1000);'),
      ready: { line: /^never$/ },
      signal: controller.signal,
      onOutput: (chunk) => {
        pids.push(
          ...chunk
            .split('\n')
            .filter((line) => /^\d+$/.test(line))
            .map(Number),
        );
      },
    });
    const outcome = starting.then(
      () => null,
      (error: unknown) => error,
    );
    while (pids.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    expect(await outcome).toBeInstanceOf(StartCancelledError);
    expect(isAlive(pids[0] ?? -1)).toBe(false);
    await expect(startProcess({ name: 'late', args: node('setInterval(() => {}, 1000)'), signal: controller.signal })).rejects.toBeInstanceOf(
      StartCancelledError,
    );
  });

  it('cancels a command run to its exit (e.g. a build): ended, and rejected rather than read as a failed build', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const running = runToExit({ args: node('setTimeout(() => {}, 60_000)'), stdio: 'ignore', signal: controller.signal });
    setTimeout(() => {
      controller.abort();
    }, 200);
    await expect(running).rejects.toBeInstanceOf(StartCancelledError);
    expect(Date.now() - started).toBeLessThan(10_000);
    await expect(runToExit({ args: node('0'), stdio: 'ignore', signal: controller.signal })).rejects.toBeInstanceOf(StartCancelledError);
  });
});

/** Whether a process with this PID exists (signal 0 checks without signalling). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
