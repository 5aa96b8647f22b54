/**
 * An error and the errors it wraps (`cause`), outermost first: pg, Prisma's adapter and our own
 * HoldfastError each wrap the socket error or SQLSTATE that tells what happened. Bounded, because
 * a cause chain may be cyclic. The one walker of cause chains on the server side (the SDK and the
 * web app keep their own: neither may depend on db).
 */
export function* errorChain(error: unknown, maxDepth = 8): Generator<{ code?: unknown; message?: unknown }> {
  let current: unknown = error;
  for (let depth = 0; depth < maxDepth && typeof current === 'object' && current !== null; depth += 1) {
    yield current;
    current = (current as { cause?: unknown }).cause;
  }
}
