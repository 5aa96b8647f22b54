// A syslog collector for the forwarder tests (issue 12, [AUDIT_SYSLOG_RESUME]), run as its own
// process: `node --import tsx syslog-receiver.ts`. It listens on 127.0.0.1:SYSLOG_PORT (TLS when
// SYSLOG_TLS_KEY_FILE and SYSLOG_TLS_CERT_FILE are set), splits the byte stream by RFC 6587 octet
// counting — written here from the RFC, independent of the formatter under test — and appends each
// message, base64, one per line, to SYSLOG_OUT. A frame that does not parse is written as a
// `FRAMING_ERROR` line and the connection is dropped, so a test sees broken framing.
//
// On SIGTERM it stops as rsyslog and syslog-ng do: no new connections, FIN to each sender, and it
// keeps reading until each sender has closed its side too (bytes already sent are not lost), then
// exits 0 — or 2 if a sender never finished within 10 s.
import { appendFileSync, readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';

const port = Number(process.env.SYSLOG_PORT);
const out = process.env.SYSLOG_OUT ?? '';
const keyFile = process.env.SYSLOG_TLS_KEY_FILE;
const certFile = process.env.SYSLOG_TLS_CERT_FILE;
if (!Number.isInteger(port) || port <= 0 || out === '') throw new Error('SYSLOG_PORT and SYSLOG_OUT are required');

const sockets = new Set<net.Socket>();
let isStopping = false;

function maybeExit(): void {
  if (isStopping && sockets.size === 0) process.exit(0);
}

function record(line: string): void {
  appendFileSync(out, `${line}\n`);
}

function handle(socket: net.Socket): void {
  sockets.add(socket);
  let buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const space = buffer.indexOf(0x20);
      if (space === -1) {
        // MSG-LEN is at most a few digits; anything longer without a space is not a frame.
        if (buffer.length > 10) {
          record(`FRAMING_ERROR no MSG-LEN in ${JSON.stringify(buffer.subarray(0, 20).toString('latin1'))}`);
          socket.destroy();
        }
        return;
      }
      const digits = buffer.subarray(0, space).toString('latin1');
      if (!/^[1-9]\d{0,8}$/.test(digits)) {
        record(`FRAMING_ERROR bad MSG-LEN ${JSON.stringify(digits)}`);
        socket.destroy();
        return;
      }
      const end = space + 1 + Number(digits);
      if (buffer.length < end) return;
      record(buffer.subarray(space + 1, end).toString('base64'));
      buffer = buffer.subarray(end);
    }
  });
  socket.on('end', () => {
    if (buffer.length > 0) record(`FRAMING_ERROR ${String(buffer.length)} bytes of an unfinished frame at the end of the stream`);
    socket.end();
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    sockets.delete(socket);
    maybeExit();
  });
}

const server =
  keyFile !== undefined && certFile !== undefined
    ? tls.createServer({ key: readFileSync(keyFile), cert: readFileSync(certFile), allowHalfOpen: true, minVersion: 'TLSv1.2' }, handle)
    : net.createServer({ allowHalfOpen: true }, handle);

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`syslog receiver listening on ${String(port)}\n`);
});

process.on('SIGTERM', () => {
  isStopping = true;
  server.close();
  for (const socket of sockets) socket.end();
  setTimeout(() => process.exit(2), 10_000).unref();
  maybeExit();
});
