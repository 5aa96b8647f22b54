import { auditRecordFormat, type AuditRecord } from '@holdfast/core';
import { makeCertificate } from '@holdfast/process/push-service';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyslogSink, parseSyslogUrl } from './syslog-sink';

const log = (): void => undefined;

function recordAt(leafIndex: number, padding = 0): AuditRecord {
  return {
    format: auditRecordFormat,
    leafIndex,
    eventId: `00000000-0000-7000-8000-${String(leafIndex).padStart(12, '0')}`,
    occurredAt: '2026-11-30T01:02:03.456Z',
    type: 'verify.accepted',
    applicationId: null,
    userId: null,
    factorId: null,
    attemptId: null,
    gatewayId: 'gw-test',
    region: 'test',
    detail: { padding: 'é'.repeat(padding) },
    checkpoint: { treeSize: leafIndex + 1, rootHash: 'AAAA', note: 'note\n' },
  };
}

/** Leaf indexes of the octet-counted messages in `bytes` (RFC 6587), checking every frame. */
function leavesIn(bytes: Buffer): number[] {
  const leaves: number[] = [];
  let position = 0;
  while (position < bytes.length) {
    const space = bytes.indexOf(0x20, position);
    const digits = bytes.subarray(position, space).toString('latin1');
    expect(digits).toMatch(/^[1-9]\d*$/);
    const end = space + 1 + Number(digits);
    expect(end).toBeLessThanOrEqual(bytes.length);
    const message = bytes.subarray(space + 1, end).toString('utf8');
    const leaf = /\[holdfast@32473 leaf="(\d+)"/.exec(message)?.[1];
    expect(leaf).toBeDefined();
    leaves.push(Number(leaf));
    position = end;
  }
  return leaves;
}

interface Collector {
  port: number;
  /** Everything each connection sent, in connection order. */
  streams: Buffer[][];
  /** Resolves when connection `index` has closed. */
  closed: (index: number) => Promise<void>;
  stop: () => Promise<void>;
}

/**
 * A collector in this process. `halfCloseAfterBytes`: after that many bytes on a connection it
 * sends FIN (as a stopping rsyslog does) and keeps reading until the sender closes its side.
 */
async function startCollector(options: { halfCloseAfterBytes?: number; tlsOptions?: tls.TlsOptions } = {}): Promise<Collector> {
  const streams: Buffer[][] = [];
  const closings: Promise<void>[] = [];
  const handle = (socket: net.Socket): void => {
    const chunks: Buffer[] = [];
    streams.push(chunks);
    let received = 0;
    let isHalfClosed = false;
    closings.push(
      new Promise((resolve) =>
        socket.once('close', () => {
          resolve();
        }),
      ),
    );
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (options.halfCloseAfterBytes !== undefined && received >= options.halfCloseAfterBytes && !isHalfClosed) {
        isHalfClosed = true;
        socket.end();
      }
    });
    socket.on('end', () => socket.end());
    socket.on('error', () => undefined);
  };
  const server =
    options.tlsOptions === undefined
      ? net.createServer({ allowHalfOpen: true }, handle)
      : tls.createServer({ ...options.tlsOptions, allowHalfOpen: true }, handle);
  // Raw connections too: a TLS client that refuses the certificate leaves a half-open one behind.
  const raw = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    raw.add(socket);
    socket.once('close', () => raw.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    streams,
    closed: async (index) => {
      await closings[index];
    },
    stop: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
        for (const socket of raw) socket.destroy();
      }),
  };
}

describe('syslog sink', () => {
  it('parses tcp:// and tls:// destinations and refuses anything else', () => {
    expect(parseSyslogUrl('tcp://127.0.0.1:514')).toEqual({ protocol: 'tcp', host: '127.0.0.1', port: 514 });
    expect(parseSyslogUrl('tls://siem.example.com:6514')).toEqual({ protocol: 'tls', host: 'siem.example.com', port: 6514 });
    expect(parseSyslogUrl('tls://[::1]:6514')).toEqual({ protocol: 'tls', host: '::1', port: 6514 });
    for (const bad of ['udp://127.0.0.1:514', 'tcp://127.0.0.1', 'tcp://host:0', 'tcp://user@host:514', 'https://host:443']) {
      expect(() => parseSyslogUrl(bad)).toThrow();
    }
  });

  it('writes octet-counted RFC 5424 frames in order and counts each one the socket took', async () => {
    const collector = await startCollector();
    const sink = createSyslogSink({ destination: { protocol: 'tcp', host: '127.0.0.1', port: collector.port }, log });
    await sink.connect();
    expect(sink.isConnected()).toBe(true);
    const records = Array.from({ length: 200 }, (_, i) => recordAt(i, i % 7));
    expect(await sink.send(records)).toBe(200);
    await sink.close();
    await collector.closed(0);
    expect(leavesIn(Buffer.concat(collector.streams[0] ?? []))).toEqual(records.map((r) => r.leafIndex));
    await collector.stop();
  });

  it('stops writing when the collector closes (FIN): exactly the records it counted were read, the rest go on the next connection', async () => {
    const collector = await startCollector({ halfCloseAfterBytes: 1 });
    const sink = createSyslogSink({ destination: { protocol: 'tcp', host: '127.0.0.1', port: collector.port }, log });
    await sink.connect();
    // ~20 MB: far more than the socket buffers hold, so the FIN arrives while records wait.
    const records = Array.from({ length: 10_000 }, (_, i) => recordAt(i, 1000));
    const sent = await sink.send(records);
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(records.length);
    expect(sink.isConnected()).toBe(false);
    expect(await sink.send(records.slice(sent))).toBe(0);
    await collector.closed(0);
    expect(leavesIn(Buffer.concat(collector.streams[0] ?? []))).toEqual(records.slice(0, sent).map((r) => r.leafIndex));
    await collector.stop();

    // The next connection resumes with the first record not counted.
    const next = await startCollector();
    const resumed = createSyslogSink({ destination: { protocol: 'tcp', host: '127.0.0.1', port: next.port }, log });
    await resumed.connect();
    expect(await resumed.send(records.slice(sent, sent + 3))).toBe(3);
    await resumed.close();
    await next.closed(0);
    expect(leavesIn(Buffer.concat(next.streams[0] ?? []))).toEqual([sent, sent + 1, sent + 2]);
    await next.stop();
  });

  it('rejects connect when nothing listens', async () => {
    const collector = await startCollector();
    const port = collector.port;
    await collector.stop();
    const sink = createSyslogSink({ destination: { protocol: 'tcp', host: '127.0.0.1', port }, log });
    await expect(sink.connect()).rejects.toThrow();
    expect(sink.isConnected()).toBe(false);
  });

  describe('over TLS', () => {
    let certificate: Awaited<ReturnType<typeof makeCertificate>>;
    let collector: Collector;
    beforeAll(async () => {
      certificate = await makeCertificate();
      collector = await startCollector({ tlsOptions: { key: certificate.keyPem, cert: certificate.certPem } });
    });
    afterAll(async () => {
      await collector.stop();
      await rm(certificate.dir, { recursive: true, force: true });
    });

    it('sends to a collector whose certificate the configured CA signed, for the address connected to', async () => {
      const sink = createSyslogSink({ destination: { protocol: 'tls', host: '127.0.0.1', port: collector.port }, ca: certificate.certPem, log });
      await sink.connect();
      expect(await sink.send([recordAt(0), recordAt(1)])).toBe(2);
      await sink.close();
      await collector.closed(collector.streams.length - 1);
      expect(leavesIn(Buffer.concat(collector.streams.at(-1) ?? []))).toEqual([0, 1]);
    });

    it('refuses a certificate no trusted CA signed, or one for another name', async () => {
      const untrusted = createSyslogSink({ destination: { protocol: 'tls', host: '127.0.0.1', port: collector.port }, log });
      await expect(untrusted.connect()).rejects.toThrow(/self-signed|self signed/i);
      const wrongName = createSyslogSink({ destination: { protocol: 'tls', host: 'localhost', port: collector.port }, ca: certificate.certPem, log });
      await expect(wrongName.connect()).rejects.toThrow(/altnames|localhost/i);
    });
  });
});
