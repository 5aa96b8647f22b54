// The syslog collector as the audit forwarder's sink (issue 12): RFC 5424 messages, octet-counted
// (RFC 6587 §3.4.1), over TCP or TLS (RFC 5425: TLS 1.2 or later, the server's certificate checked
// against its name or IP address, a private CA when configured). Syslog over TCP has no
// acknowledgements, so the sink reports what the socket took (write callbacks, in order: always
// a prefix of the batch) and never writes once the collector has said it is closing (FIN):
// a collector that drains before it exits (rsyslog, syslog-ng, the tests' receiver) then reads
// every byte that was counted. See packages/api/src/services/audit-log/forwarder.ts for the contract.
import type { AuditRecordSink } from '@holdfast/api';
import { auditSyslogFrame, type AuditRecord } from '@holdfast/core';
import net from 'node:net';
import tls from 'node:tls';

export interface SyslogDestination {
  protocol: 'tcp' | 'tls';
  host: string;
  port: number;
}

/** `tcp://host:port` or `tls://host:port` (IPv6 in brackets). */
export function parseSyslogUrl(url: string): SyslogDestination {
  const match = /^(tcp|tls):\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(url);
  const [, protocol, host, port] = match ?? [];
  if ((protocol !== 'tcp' && protocol !== 'tls') || host === undefined || port === undefined || Number(port) < 1 || Number(port) > 65535) {
    throw new Error('a syslog destination is tcp://host:port or tls://host:port');
  }
  return { protocol, host: host.replace(/^\[(.*)\]$/, '$1'), port: Number(port) };
}

export function syslogDestinationText(destination: SyslogDestination): string {
  const host = net.isIPv6(destination.host) ? `[${destination.host}]` : destination.host;
  return `${destination.protocol}://${host}:${String(destination.port)}`;
}

interface Connection {
  socket: net.Socket;
  /** The collector sent FIN: write nothing more, end our side once our writes are out. */
  isPeerEnded: boolean;
  isClosed: boolean;
  /** A send in progress re-checks itself when the connection changes. */
  onChange: (() => void) | null;
}

export interface SyslogSinkOptions {
  destination: SyslogDestination;
  /** PEM of the CA(s) that sign the collector's certificate (TLS only); default: the system's roots. */
  ca?: string;
  connectTimeoutMs?: number;
  /** A send with no write completing for this long ends the connection (a collector that stopped reading). */
  stallTimeoutMs?: number;
  log: (event: string, fields?: Record<string, unknown>) => void;
}

export function createSyslogSink(options: SyslogSinkOptions): AuditRecordSink {
  const { destination, log } = options;
  const destinationText = syslogDestinationText(destination);
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  const stallTimeoutMs = options.stallTimeoutMs ?? 15_000;
  let connection: Connection | null = null;

  const isUsable = (conn: Connection | null): conn is Connection => conn !== null && !conn.isPeerEnded && !conn.isClosed && !conn.socket.destroyed;

  // tls.connect passes allowHalfOpen to its TLSSocket (Node's _tls_wrap), though @types/node omits it.
  const tlsOptions: tls.ConnectionOptions & { allowHalfOpen: boolean } = {
    host: destination.host,
    port: destination.port,
    // SNI only for names (an IP address is checked against the certificate's IP SANs).
    ...(net.isIP(destination.host) === 0 ? { servername: destination.host } : {}),
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    minVersion: 'TLSv1.2',
    rejectUnauthorized: true,
    allowHalfOpen: true,
  };

  const open = (): Promise<Connection> =>
    new Promise((resolve, reject) => {
      // allowHalfOpen: when the collector sends FIN our side stays open until our own writes are
      // out, and we end it ourselves; the collector keeps reading until then.
      const socket: net.Socket =
        destination.protocol === 'tls' ? tls.connect(tlsOptions) : net.connect({ host: destination.host, port: destination.port, allowHalfOpen: true });
      const timer = setTimeout(() => {
        socket.destroy(new Error(`no connection to ${destinationText} within ${String(connectTimeoutMs)} ms`));
      }, connectTimeoutMs);
      const onError = (error: Error): void => {
        clearTimeout(timer);
        reject(error);
      };
      socket.once('error', onError);
      socket.once(destination.protocol === 'tls' ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        const conn: Connection = { socket, isPeerEnded: false, isClosed: false, onChange: null };
        socket.setNoDelay(true);
        socket.setKeepAlive(true, 10_000);
        socket.on('error', (error) => {
          log('audit_syslog_socket_error', { destination: destinationText, message: error.message });
        });
        // A collector sends nothing; reading (and discarding) is what lets its FIN be seen.
        socket.on('data', () => undefined);
        let lingerTimer: NodeJS.Timeout | undefined;
        socket.on('end', () => {
          conn.isPeerEnded = true;
          log('audit_syslog_collector_closing', { destination: destinationText });
          if (conn.onChange === null) socket.end();
          else conn.onChange();
          // A collector that never finishes closing does not keep the socket for ever.
          lingerTimer = setTimeout(() => socket.destroy(), 30_000);
          lingerTimer.unref();
        });
        socket.on('close', () => {
          clearTimeout(lingerTimer);
          conn.isClosed = true;
          conn.onChange?.();
        });
        log('audit_syslog_connected', { destination: destinationText });
        resolve(conn);
      });
    });

  const send = (records: readonly AuditRecord[]): Promise<number> => {
    const current = connection;
    if (!isUsable(current) || records.length === 0) return Promise.resolve(0);
    const conn: Connection = current;
    return new Promise((resolve) => {
      let written = 0;
      let acked = 0;
      let isDone = false;
      let stallTimer: NodeJS.Timeout | undefined;
      const armStall = (): void => {
        clearTimeout(stallTimer);
        stallTimer = setTimeout(() => {
          conn.socket.destroy(new Error(`the collector at ${destinationText} took nothing for ${String(stallTimeoutMs)} ms`));
        }, stallTimeoutMs);
      };
      const finish = (): void => {
        if (isDone) return;
        isDone = true;
        clearTimeout(stallTimer);
        conn.onChange = null;
        conn.socket.off('drain', writeMore);
        // The collector is closing: our writes are out, so end our side and let it finish reading.
        if (conn.isPeerEnded && !conn.isClosed) conn.socket.end();
        resolve(acked);
      };
      const check = (): void => {
        if (acked === records.length) finish();
        // Closed: callbacks still pending will not succeed; the acknowledged prefix is final.
        else if (conn.isClosed || conn.socket.destroyed) finish();
        // Closing: stop at once and count what the socket has taken.
        else if (conn.isPeerEnded && acked === written) finish();
      };
      function writeMore(): void {
        while (written < records.length && !conn.isPeerEnded && !conn.isClosed && !conn.socket.destroyed) {
          const record = records[written];
          if (record === undefined) break;
          written += 1;
          const isFlowing = conn.socket.write(auditSyslogFrame(record), (error) => {
            if (isDone) return;
            if (error === null || error === undefined) {
              acked += 1;
              armStall();
            } else {
              conn.socket.destroy();
            }
            check();
          });
          if (!isFlowing) {
            conn.socket.once('drain', writeMore);
            return;
          }
        }
        check();
      }
      conn.onChange = check;
      armStall();
      writeMore();
    });
  };

  return {
    destination: destinationText,
    connect: async () => {
      if (isUsable(connection)) return;
      // A previous connection is closed, or half-closed and finishing on its own: never cut it
      // short (what it still has in flight is counted and must reach the collector).
      connection = null;
      connection = await open();
    },
    send,
    isConnected: () => isUsable(connection),
    close: async () => {
      const conn = connection;
      connection = null;
      if (conn === null || conn.isClosed) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          conn.socket.destroy();
        }, 2_000);
        conn.socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        // Graceful: what was written still reaches the collector, then FIN.
        conn.socket.end();
      });
    },
  };
}
