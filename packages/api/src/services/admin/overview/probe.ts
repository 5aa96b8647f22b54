// One short, bounded request to a source of the live map. Never throws: a source that does not
// answer in time is a result ("unreachable: timeout"), not an error — the map shows it as such.
import net from 'node:net';

export type ProbeResult = { ok: true; status: number; text: string } | { ok: false; error: string };

export async function probeHttp(url: string, options: { timeoutMs: number; method?: 'GET' | 'POST'; body?: string }): Promise<ProbeResult> {
  try {
    const response = await fetch(url, {
      method: options.method ?? 'GET',
      ...(options.body === undefined ? {} : { body: options.body, headers: { 'content-type': 'application/json' } }),
      signal: AbortSignal.timeout(options.timeoutMs),
      redirect: 'error',
    });
    return { ok: true, status: response.status, text: await response.text() };
  } catch (error) {
    return { ok: false, error: describeFailure(error) };
  }
}

/** Opens and closes a TCP connection: is something listening (HAProxy without a stats page). */
export function probeTcp(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (result: ProbeResult): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => {
      done({ ok: false, error: 'timeout' });
    });
    socket.once('connect', () => {
      done({ ok: true, status: 0, text: '' });
    });
    socket.once('error', (error) => {
      done({ ok: false, error: describeFailure(error) });
    });
  });
}

/** A short reason a person can read: "connection refused", "timeout", or the error's own code. */
export function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timeout';
    const cause: unknown = error.cause;
    const code: unknown = cause instanceof Error && 'code' in cause ? cause.code : 'code' in error ? error.code : undefined;
    if (code === 'ECONNREFUSED') return 'connection refused';
    if (typeof code === 'string') return code;
    return error.message;
  }
  return String(error);
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
