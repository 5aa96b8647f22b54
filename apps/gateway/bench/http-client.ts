// The load generator's HTTP/1.1 client: keep-alive connections over raw `net` sockets, one
// request in flight per connection, the request written as one string and the response read by a
// parser that looks only at what the bench needs (status, Content-Length or chunked framing,
// Connection, Retry-After). Why not `http.Agent` + `http.request`: the generator shares the two
// cores with what it measures, and node's client (an `OutgoingMessage`, an `IncomingMessage`
// stream, header objects and agent bookkeeping per request) cost 57–103 µs of CPU a request here,
// this one 17–25 µs (A/B against one node:http server). What is spent here is taken from the
// servers under test.
import net from 'node:net';

export interface HttpResult {
  status: number;
  body: string;
  /** The Retry-After header, when the answer had one. */
  retryAfter: string | null;
}

export interface HttpClient {
  post: (path: string, headers: Record<string, string>, body: string, timeoutMs?: number) => Promise<HttpResult>;
  /** Ends every connection (requests in flight fail); the next request opens new ones. */
  close: () => void;
}

export class RequestTimeout extends Error {
  override readonly name = 'RequestTimeout';
}

/** The connection failed or closed before its answer was whole. */
export class ConnectionLost extends Error {
  override readonly name = 'ConnectionLost';
}

/** The answer was not HTTP/1.1 this parser can frame (a bug in the server or here, never data). */
export class MalformedResponse extends Error {
  override readonly name = 'MalformedResponse';
}

interface Pending {
  text: string;
  resolve: (result: HttpResult) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
  /** The connection it was written to; null while it waits for one. */
  connection: Connection | null;
}

const headerEnd = Buffer.from('\r\n\r\n');
const crlf = Buffer.from('\r\n');

interface Head {
  status: number;
  bodyStart: number;
  contentLength: number | null;
  chunked: boolean;
  close: boolean;
  retryAfter: string | null;
}

/** Parses a response head from `buffer`, or null while it is incomplete. */
export function parseHead(buffer: Buffer): Head | null {
  const end = buffer.indexOf(headerEnd);
  if (end < 0) return null;
  const lines = buffer.toString('latin1', 0, end).split('\r\n');
  const statusLine = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0] ?? '');
  if (statusLine === null) throw new MalformedResponse(`bad status line ${JSON.stringify(lines[0]?.slice(0, 80))}`);
  // HTTP/1.0 closes after each answer unless it says keep-alive.
  const isHttp10 = statusLine[1] === '0';
  const head: Head = { status: Number(statusLine[2]), bodyStart: end + 4, contentLength: null, chunked: false, close: isHttp10, retryAfter: null };
  for (let i = 1; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MalformedResponse(`bad header line ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-length') {
      if (!/^\d+$/.test(value)) throw new MalformedResponse(`bad content-length ${JSON.stringify(value)}`);
      head.contentLength = Number(value);
    } else if (name === 'transfer-encoding') head.chunked = value.toLowerCase().split(',').at(-1)?.trim() === 'chunked';
    else if (name === 'connection') {
      const tokens = value
        .toLowerCase()
        .split(',')
        .map((token) => token.trim());
      head.close = tokens.includes('close') || (isHttp10 && !tokens.includes('keep-alive'));
    } else if (name === 'retry-after') head.retryAfter = value;
  }
  // 1xx, 204 and 304 carry no body whatever their headers say (RFC 9112 §6.3).
  if (head.status < 200 || head.status === 204 || head.status === 304) {
    head.contentLength = 0;
    head.chunked = false;
  }
  return head;
}

/** Decodes a chunked body from `buffer` at `start`: the body and where it ended, or null while incomplete. */
export function parseChunked(buffer: Buffer, start: number): { body: Buffer; end: number } | null {
  const parts: Buffer[] = [];
  let at = start;
  for (;;) {
    const lineEnd = buffer.indexOf(crlf, at);
    if (lineEnd < 0) return null;
    const sizeText = buffer.toString('latin1', at, lineEnd).split(';')[0] ?? '';
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new MalformedResponse(`bad chunk size ${JSON.stringify(sizeText.slice(0, 20))}`);
    const size = parseInt(sizeText, 16);
    if (size === 0) {
      // No trailers are expected; the last chunk ends with an empty line.
      const trailerEnd = buffer.indexOf(crlf, lineEnd + 2);
      if (trailerEnd < 0) return null;
      if (trailerEnd !== lineEnd + 2) throw new MalformedResponse('trailers are not supported');
      return { body: Buffer.concat(parts), end: trailerEnd + 2 };
    }
    const dataStart = lineEnd + 2;
    if (buffer.length < dataStart + size + 2) return null;
    if (buffer[dataStart + size] !== 0x0d || buffer[dataStart + size + 1] !== 0x0a) throw new MalformedResponse('a chunk did not end with CRLF');
    parts.push(buffer.subarray(dataStart, dataStart + size));
    at = dataStart + size + 2;
  }
}

class Connection {
  readonly socket: net.Socket;
  current: Pending | null = null;
  private buffer: Buffer = Buffer.alloc(0);
  private head: Head | null = null;
  private socketError: Error | null = null;
  isOpen = true;

  constructor(
    host: string,
    port: number,
    private readonly onIdle: (connection: Connection) => void,
    private readonly onGone: (connection: Connection) => void,
  ) {
    this.socket = net.connect({ host, port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => {
      this.receive(chunk);
    });
    this.socket.on('error', (error) => {
      // 'close' follows and fails what is in flight, naming this.
      this.socketError = error;
    });
    this.socket.on('close', () => {
      // A server may end a response by closing when it gave no length.
      if (this.current !== null && this.head !== null && this.head.contentLength === null && !this.head.chunked) {
        this.finish(this.buffer.subarray(this.head.bodyStart), true);
      }
      this.gone(
        new ConnectionLost(
          this.socketError === null ? 'the connection closed before the answer was whole' : `the connection failed: ${this.socketError.message}`,
        ),
      );
    });
  }

  send(pending: Pending): void {
    this.current = pending;
    pending.connection = this;
    this.socket.write(pending.text);
  }

  destroy(error: Error): void {
    this.socket.destroy();
    this.gone(error);
  }

  private gone(error: Error): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    const pending = this.current;
    this.current = null;
    if (pending !== null) {
      if (pending.timer !== undefined) clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.onGone(this);
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (this.current === null) {
      this.destroy(new MalformedResponse('bytes arrived with no request in flight'));
      return;
    }
    try {
      this.head ??= parseHead(this.buffer);
      const head = this.head;
      if (head === null) return;
      if (head.chunked) {
        const chunked = parseChunked(this.buffer, head.bodyStart);
        if (chunked !== null) this.finish(chunked.body, head.close, chunked.end);
      } else if (head.contentLength !== null) {
        const end = head.bodyStart + head.contentLength;
        if (this.buffer.length >= end) this.finish(this.buffer.subarray(head.bodyStart, end), head.close, end);
      }
      // Neither: the body runs to the connection's close (handled in 'close').
    } catch (error) {
      this.destroy(error instanceof Error ? error : new MalformedResponse(String(error)));
    }
  }

  private finish(body: Buffer, close: boolean, end = this.buffer.length): void {
    const pending = this.current;
    const head = this.head;
    if (pending === null || head === null) return;
    if (end !== this.buffer.length) {
      // One request in flight per connection, so nothing may follow its answer.
      this.destroy(new MalformedResponse('bytes arrived after the answer'));
      return;
    }
    this.current = null;
    this.head = null;
    this.buffer = Buffer.alloc(0);
    if (pending.timer !== undefined) clearTimeout(pending.timer);
    pending.resolve({ status: head.status, body: body.toString('utf8'), retryAfter: head.retryAfter });
    if (close) {
      this.socket.destroy();
      this.gone(new ConnectionLost('closed by the server'));
    } else if (this.isOpen) this.onIdle(this);
  }
}

/** A keep-alive client for one origin with at most `maxSockets` connections (excess requests wait in order). */
export function createHttpClient(origin: string, maxSockets: number): HttpClient {
  const url = new URL(origin);
  if (url.protocol !== 'http:') throw new Error(`only http: origins are supported, not ${url.protocol}`);
  const host = url.hostname;
  const port = Number(url.port || 80);
  const hostHeader = `host: ${url.host}\r\n`;
  const idle: Connection[] = [];
  const all = new Set<Connection>();
  const waiting: Pending[] = [];

  const onIdle = (connection: Connection): void => {
    const next = waiting.shift();
    if (next !== undefined) connection.send(next);
    else idle.push(connection);
  };
  const onGone = (connection: Connection): void => {
    all.delete(connection);
    const at = idle.indexOf(connection);
    if (at >= 0) idle.splice(at, 1);
    // A slot freed: a waiting request gets a new connection.
    const next = waiting.shift();
    if (next !== undefined) dispatch(next);
  };
  const dispatch = (pending: Pending): void => {
    // Last in, first out: the warmest connection (as the agent's 'lifo' scheduling did).
    const connection = idle.pop();
    if (connection !== undefined) connection.send(pending);
    else if (all.size < maxSockets) {
      const fresh = new Connection(host, port, onIdle, onGone);
      all.add(fresh);
      fresh.send(pending);
    } else waiting.push(pending);
  };

  const post = (path: string, headers: Record<string, string>, body: string, timeoutMs?: number): Promise<HttpResult> =>
    new Promise<HttpResult>((resolve, reject) => {
      let text = `POST ${path} HTTP/1.1\r\n${hostHeader}`;
      for (const name in headers) text += `${name}: ${headers[name]}\r\n`;
      text += `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
      const pending: Pending = { text, resolve, reject, timer: undefined, connection: null };
      // The whole exchange, waiting for a connection included, must finish in time (open loop).
      if (timeoutMs !== undefined)
        pending.timer = setTimeout(() => {
          const error = new RequestTimeout(`no answer within ${timeoutMs} ms`);
          if (pending.connection === null) {
            const at = waiting.indexOf(pending);
            if (at >= 0) waiting.splice(at, 1);
            reject(error);
          } else pending.connection.destroy(error);
        }, timeoutMs);
      dispatch(pending);
    });

  return {
    post,
    close: () => {
      for (const pending of waiting.splice(0)) {
        if (pending.timer !== undefined) clearTimeout(pending.timer);
        pending.reject(new ConnectionLost('the client was closed'));
      }
      for (const connection of [...all]) connection.destroy(new ConnectionLost('the client was closed'));
    },
  };
}
