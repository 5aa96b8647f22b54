// Request-body handling shared by the two surfaces over the same router (tRPC under /trpc/, REST
// under /v1/), so a size cap or a content-type rule cannot drift between them.
import type http from 'node:http';

/** Same rule as tRPC's `hasContentType`: media types are case-insensitive, parameters ignored. */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const semicolon = header.indexOf(';');
  return (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase() === 'application/json';
}

/** UTF-8 with a leading BOM dropped, as `Request.text()` (the tRPC adapter's reader) decodes. */
function decodeBody(chunks: Buffer[]): string {
  const text = chunks.length === 1 && chunks[0] !== undefined ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * The body as text, refused with `tooLarge()` as soon as it passes `maxBodySize` bytes (the rest is
 * discarded by Node once the response has ended). Each surface names its own 413.
 */
export function readBodyText(req: http.IncomingMessage, maxBodySize: number, tooLarge: () => Error): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onFail);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBodySize) {
        cleanup();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(decodeBody(chunks));
    };
    const onFail = (error: Error): void => {
      cleanup();
      reject(error);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onFail);
  });
}
