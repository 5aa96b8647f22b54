import { spawn } from 'node:child_process';
import path from 'node:path';

/** How a process says it is ready: a URL that answers 2xx, or a line on its stdout. */
export type Readiness = { url: string } | { line: RegExp };

export interface StartProcessOptions {
  /** Named in errors ("gateway gw-1 exited early"). */
  name: string;
  /** Defaults to this Node binary (`process.execPath`), so `args` may start with `--import tsx`. */
  command?: string;
  args: readonly string[];
  cwd?: string;
  /** The child's whole environment (nothing is inherited unless passed); defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** Absent: ready as soon as it has been spawned. */
  ready?: Readiness;
  /** Give up (and stop the process) when not ready within this long. Default 30 s. */
  readyTimeoutMs?: number;
  /** Between SIGTERM and SIGKILL in `stop()`. Default 5 s. */
  stopTimeoutMs?: number;
  /** Sees every chunk of output as it arrives (e.g. to forward it); must not throw. */
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  /** Keep only the last this-many characters of output (long-running, chatty processes). Default: all. */
  maxOutputChars?: number;
  /**
   * Aborted while the process is starting: it is stopped and `StartCancelledError` thrown (e.g. a
   * launcher's Ctrl-C during start-up). Already aborted: nothing is spawned. Ignored once ready.
   */
  signal?: AbortSignal;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningProcess {
  name: string;
  pid: number;
  /** Everything it wrote to stdout and stderr so far, interleaved as it arrived. */
  output: () => string;
  isRunning: () => boolean;
  /** Settles when the process has exited, with its code or the signal that ended it. */
  exited: Promise<ProcessExit>;
  /** SIGTERM, then SIGKILL if it has not exited within `stopTimeoutMs`; resolves once it has exited. */
  stop: () => Promise<ProcessExit>;
  /** SIGKILL: a crash, not a shutdown. */
  kill: () => Promise<ProcessExit>;
}

/** Did not become ready: exited early, failed to spawn, or timed out (then it was stopped). Carries what it printed. */
export class ProcessStartError extends Error {
  override readonly name = 'ProcessStartError';
  constructor(
    message: string,
    readonly output: string,
    /** The PID it had (-1 if it never started); the process has exited by the time this is thrown. */
    readonly pid: number,
  ) {
    super(`${message}:\n${output}`);
  }
}

/** The start was cancelled by its `signal` (and the process, if spawned, has exited). */
export class StartCancelledError extends Error {
  override readonly name = 'StartCancelledError';
  constructor(what: string) {
    super(`${what}: cancelled`);
  }
}

/** A function, not an inline test: TypeScript would keep the narrowing of an earlier check across awaits. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

const defaultReadyTimeoutMs = 30_000;
const defaultStopTimeoutMs = 5_000;
// After SIGKILL the kernel ends the process at once; this only bounds the wait for the exit event.
const afterKillMs = 5_000;
// How long to wait, after an exit, for the last output still in the pipes.
const drainMs = 500;

/**
 * Starts a process (by default `node` with the given arguments), collects its output, waits until
 * it is ready and hands back a way to stop it by its own PID — never by name, so processes this
 * one did not start are never signalled.
 */
export async function startProcess(options: StartProcessOptions): Promise<RunningProcess> {
  if (isAborted(options.signal)) throw new StartCancelledError(options.name);
  const child = spawn(options.command ?? process.execPath, options.args, {
    cwd: options.cwd,
    // Without an explicit environment the child inherits this process's (spawn's own default).
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdoutLine = '';
  // An object, so the readiness loop reads what the 'error' listener set (not a narrowed local).
  const failure: { spawnError: Error | null } = { spawnError: null };
  let isLineSeen = false;
  const readyLine = options.ready !== undefined && 'line' in options.ready ? options.ready.line : null;
  const collect = (chunk: Buffer, stream: 'stdout' | 'stderr'): void => {
    const text = chunk.toString();
    output += text;
    // Trimmed at twice the cap, so a chatty process costs a copy now and then, not one per chunk.
    if (options.maxOutputChars !== undefined && output.length > 2 * options.maxOutputChars) output = output.slice(-options.maxOutputChars);
    if (readyLine !== null && !isLineSeen && stream === 'stdout') {
      const lines = (stdoutLine + text).split('\n');
      stdoutLine = lines.pop() ?? '';
      isLineSeen = lines.some((line) => readyLine.test(line));
    }
    options.onOutput?.(text, stream);
  };
  const collected = (): string => (options.maxOutputChars === undefined ? output : output.slice(-options.maxOutputChars));
  child.stdout.on('data', (chunk: Buffer) => {
    collect(chunk, 'stdout');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    collect(chunk, 'stderr');
  });

  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
    });
    // A command that cannot be spawned emits 'error' and never 'exit'.
    child.once('error', (error) => {
      failure.spawnError = error;
      resolve({ code: null, signal: null });
    });
  });
  // 'close' follows 'exit' once the output pipes are drained (unless a grandchild still holds them).
  const closed = new Promise<void>((resolve) => {
    child.once('close', () => {
      resolve();
    });
  });
  const drainOutput = async (): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      closed,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, drainMs);
      }),
    ]);
    clearTimeout(timer);
  };
  let exit: ProcessExit | null = null;
  void exited.then((value) => {
    exit = value;
  });
  const hasExited = (): boolean => exit !== null || child.exitCode !== null || child.signalCode !== null;

  const waitForExit = async (timeoutMs: number): Promise<ProcessExit | null> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => {
        resolve(null);
      }, timeoutMs);
    });
    const result = await Promise.race([exited, timeout]);
    clearTimeout(timer);
    if (result !== null) await drainOutput();
    return result;
  };
  const signal = (sig: NodeJS.Signals): void => {
    if (!hasExited()) child.kill(sig);
  };
  const kill = async (): Promise<ProcessExit> => {
    signal('SIGKILL');
    return (await waitForExit(afterKillMs)) ?? { code: null, signal: 'SIGKILL' };
  };
  const stop = async (): Promise<ProcessExit> => {
    signal('SIGTERM');
    const result = await waitForExit(options.stopTimeoutMs ?? defaultStopTimeoutMs);
    return result ?? kill();
  };

  const readyTimeoutMs = options.readyTimeoutMs ?? defaultReadyTimeoutMs;
  const deadline = Date.now() + readyTimeoutMs;
  const ready = options.ready;
  for (;;) {
    if (isAborted(options.signal)) {
      await stop();
      throw new StartCancelledError(options.name);
    }
    if (failure.spawnError !== null)
      throw new ProcessStartError(`${options.name} could not start (${failure.spawnError.message})`, collected(), child.pid ?? -1);
    if (hasExited()) {
      await drainOutput();
      throw new ProcessStartError(`${options.name} exited early`, collected(), child.pid ?? -1);
    }
    if (ready === undefined) break;
    if (
      'url' in ready
        ? await fetch(ready.url, { signal: options.signal }).then(
            (r) => r.ok,
            () => false,
          )
        : isLineSeen
    )
      break;
    if (Date.now() > deadline) {
      await stop();
      const what = 'url' in ready ? `answer ${ready.url}` : `print a line matching ${String(ready.line)}`;
      throw new ProcessStartError(`${options.name} did not ${what} within ${readyTimeoutMs / 1000} s`, collected(), child.pid ?? -1);
    }
    // Let pending output and exit events land before looking again.
    await new Promise((resolve) => setTimeout(resolve, 'url' in ready ? 100 : 20));
  }
  return {
    name: options.name,
    pid: child.pid ?? -1,
    output: collected,
    isRunning: () => !hasExited(),
    exited,
    stop,
    kill,
  };
}

/**
 * Runs a command to completion with the given stdio (e.g. a build), resolving with its exit code.
 * Aborting `signal` ends it (SIGTERM) and rejects with `StartCancelledError` once it has exited.
 */
export async function runToExit(options: {
  command?: string;
  args: readonly string[];
  cwd?: string;
  env?: Record<string, string | undefined>;
  stdio?: 'inherit' | 'ignore';
  signal?: AbortSignal;
}): Promise<number> {
  const what = path.basename(options.args[0] ?? options.command ?? 'command');
  if (isAborted(options.signal)) throw new StartCancelledError(what);
  const child = spawn(options.command ?? process.execPath, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: options.stdio ?? 'inherit',
    signal: options.signal,
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      if (isAborted(options.signal)) reject(new StartCancelledError(what));
      else resolve(code ?? 1);
    });
    child.once('error', () => {
      // Aborting emits 'error' (AbortError) before the killed child's 'exit': wait for that, unless it never ran.
      if (isAborted(options.signal) && child.pid !== undefined) return;
      if (isAborted(options.signal)) reject(new StartCancelledError(what));
      else resolve(1);
    });
  });
}
