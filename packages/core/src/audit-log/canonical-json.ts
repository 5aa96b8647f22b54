import { HoldfastError } from '../errors';

/**
 * One spelling per JSON value, so the same audit detail always hashes to the same leaf: object keys
 * sorted recursively (by UTF-16 code units, as RFC 8785 JCS sorts them), no whitespace, strings and
 * numbers exactly as `JSON.stringify` writes them (the ECMAScript number serialisation JCS also
 * uses; -0 is written 0). For the values audit details hold — strings, integers, booleans, null,
 * nested objects and arrays — the output is JCS.
 *
 * The input is what Postgres hands back for a jsonb column (JSON.parse output), so anything JSON
 * cannot hold is a bug upstream and throws instead of being dropped or converted silently the way
 * `JSON.stringify` would (undefined members vanish, NaN becomes null, a Date becomes a string, a
 * Map becomes {}): two different details must never share bytes, and the hash must be computable
 * again by anyone holding the stored JSON.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '$', 0);
}

/** jsonb nests far less deep; the limit also stops a cyclic object. */
const maxDepth = 100;

function write(value: unknown, path: string, depth: number): string {
  if (depth > maxDepth) refuse(path, `nests deeper than ${String(maxDepth)} levels (or is cyclic)`);
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) refuse(path, `is ${String(value)}, which JSON cannot hold`);
      return JSON.stringify(value);
    case 'string':
      // JSON.stringify escapes lone surrogates (\udXXX), so no two strings share the UTF-8 bytes.
      return JSON.stringify(value);
    case 'object':
      return Array.isArray(value) ? writeArray(value, path, depth) : writeObject(value, path, depth);
    default:
      return refuse(path, `is a ${typeof value}, which JSON cannot hold`);
  }
}

function writeArray(items: readonly unknown[], path: string, depth: number): string {
  const parts: string[] = [];
  for (let i = 0; i < items.length; i += 1) {
    const itemPath = `${path}[${String(i)}]`;
    if (!(i in items)) refuse(itemPath, 'is a hole in a sparse array');
    parts.push(write(items[i], itemPath, depth + 1));
  }
  return `[${parts.join(',')}]`;
}

function writeObject(value: object, path: string, depth: number): string {
  const prototype: unknown = Object.getPrototypeOf(value);
  // Dates, Maps, Buffers, class instances: JSON.parse never makes them; stringify would reshape them.
  if (prototype !== Object.prototype && prototype !== null) refuse(path, `is ${Object.prototype.toString.call(value)}, not a plain JSON object`);
  if (Object.getOwnPropertySymbols(value).length > 0) refuse(path, 'has symbol keys');
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort(compareCodeUnits);
  const members = keys.map((key) => `${JSON.stringify(key)}:${write(record[key], `${path}.${key}`, depth + 1)}`);
  return `{${members.join(',')}}`;
}

function compareCodeUnits(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

function refuse(path: string, problem: string): never {
  throw new HoldfastError('BAD_REQUEST', `Canonical JSON: ${path} ${problem}`);
}
