import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkRecordedProcess, postmasterPid, processStartTime, readState, writeState, type ClusterState, type ProcessRecord } from './processes';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'holdfast-cluster-test-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const record = (pid: number, startTime: number | null): ProcessRecord => ({
  name: 'gw-test',
  kind: 'gateway',
  region: 'region-1',
  pid,
  startTime,
  port: 1,
  logFile: '/dev/null',
});

/** A `/proc/<pid>/stat` line: field 22 (start time) is the 20th after the command name. */
function statLine(pid: number, comm: string, state: string, startTime: number): string {
  const fields = [state, '1', ...Array.from({ length: 17 }, () => '0'), String(startTime), '0', '0'];
  return `${pid} (${comm}) ${fields.join(' ')}\n`;
}

describe('[CLUSTER_PID_TRUST] a recorded PID is signalled only while it names the process we started', () => {
  it('reads the start time of a live process and tells ours from a reused PID and from a gone one', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const pid = child.pid ?? -1;
      const startTime = processStartTime(pid);
      expect(startTime).not.toBeNull();
      expect(checkRecordedProcess(record(pid, startTime))).toBe('ours');
      // Same PID, another start time: after a reboot or a PID wrap it names another process.
      expect(checkRecordedProcess(record(pid, (startTime ?? 0) + 1))).toBe('not-ours');
      // A record without a start time (older state file) cannot be trusted either.
      expect(checkRecordedProcess(record(pid, null))).toBe('not-ours');
      expect(checkRecordedProcess({ pid } as ProcessRecord)).toBe('not-ours');
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    expect(processStartTime(child.pid ?? -1)).toBeNull();
    expect(checkRecordedProcess(record(child.pid ?? -1, 1))).toBe('gone');
  });

  it('parses field 22 even when the command name holds spaces and parentheses, and treats zombies as gone', async () => {
    const proc = await tempDir();
    await mkdir(path.join(proc, '4242'));
    await writeFile(path.join(proc, '4242', 'stat'), statLine(4242, 'we (ird) name', 'S', 987654));
    await mkdir(path.join(proc, '4343'));
    await writeFile(path.join(proc, '4343', 'stat'), statLine(4343, 'zombie', 'Z', 111));
    expect(processStartTime(4242, proc)).toBe(987654);
    expect(checkRecordedProcess(record(4242, 987654), proc)).toBe('ours');
    expect(checkRecordedProcess(record(4242, 987655), proc)).toBe('not-ours');
    expect(checkRecordedProcess(record(4343, 111), proc)).toBe('gone');
    expect(checkRecordedProcess(record(4444, 111), proc)).toBe('gone');
  });
});

describe('[CLUSTER_STATE_ATOMIC] state.json is replaced whole or not at all', () => {
  const state = (pid: number): ClusterState => ({ processes: [record(pid, 12345)] });

  it('writes through a temporary file and leaves none behind', async () => {
    const dir = await tempDir();
    await writeState(dir, state(1));
    await writeState(dir, state(2));
    expect(await readState(dir)).toEqual(state(2));
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('keeps the previous state when a write fails part way', async () => {
    const dir = await tempDir();
    await writeState(dir, state(1));
    // JSON.stringify throws on a BigInt: the write fails after it began.
    const broken = { processes: [{ ...record(2, 1), port: 10n }] } as unknown as ClusterState;
    await expect(writeState(dir, broken)).rejects.toThrow(/BigInt/);
    expect(await readState(dir)).toEqual(state(1));
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('never exposes a half-written file to a reader, and ignores a temporary file left by a crash', async () => {
    const dir = await tempDir();
    await writeState(dir, state(1));
    // What an interrupted write leaves: a truncated temporary file next to the intact state.
    await writeFile(path.join(dir, 'state.json.99999.0badf00d.tmp'), '{"processes": [');
    expect(await readState(dir)).toEqual(state(1));
    // Concurrent readers see one whole state or the other, never a mix.
    const reads = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        if (i % 2 === 0) {
          await writeState(dir, state(100 + i));
          return null;
        }
        return JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8')) as ClusterState;
      }),
    );
    for (const read of reads) if (read !== null) expect(read.processes).toHaveLength(1);
    expect(existsSync(path.join(dir, 'state.json'))).toBe(true);
  });
});

describe('[CLUSTER_PID_TRUST] a postmaster.pid left by a crashed node', () => {
  it('names the postmaster only while that PID runs postgres -D <this data dir>', async () => {
    const root = await tempDir();
    const dataDir = path.join(root, 'pg1', 'data');
    const proc = path.join(root, 'proc');
    await mkdir(dataDir, { recursive: true });
    await mkdir(path.join(proc, '4242'), { recursive: true });
    await writeFile(path.join(dataDir, 'postmaster.pid'), '4242\n/data\n');
    await writeFile(path.join(proc, '4242', 'stat'), statLine(4242, 'postgres', 'S', 100));
    await writeFile(path.join(proc, '4242', 'cmdline'), ['/usr/lib/postgresql/15/bin/postgres', '-D', dataDir, '--port=5441', ''].join('\0'));
    expect(postmasterPid(dataDir, proc)).toBe(4242);
    // The PID was reused by something else: left alone.
    await writeFile(path.join(proc, '4242', 'cmdline'), ['/usr/bin/sleep', '100', ''].join('\0'));
    expect(postmasterPid(dataDir, proc)).toBeNull();
    // Another node's postmaster: left alone too.
    await writeFile(path.join(proc, '4242', 'cmdline'), ['postgres', '-D', path.join(root, 'pg2', 'data'), ''].join('\0'));
    expect(postmasterPid(dataDir, proc)).toBeNull();
  });
});
