// HAProxy's stats page as CSV (`<stats uri>;csv`): one row per proxy and server. Behind the write
// listener only the node whose Patroni answers /primary passes the health check, so the server
// that is UP there is where writes go now.

/** The server UP behind `listener` (null when none is, or the listener is not in the CSV). */
export function parseHaproxyPrimary(csv: string, listener: string): { found: boolean; primary: string | null } {
  const lines = csv.split('\n').filter((line) => line.trim() !== '');
  const header = lines[0]?.replace(/^#\s*/, '').split(',');
  if (header === undefined) return { found: false, primary: null };
  const proxyAt = header.indexOf('pxname');
  const serverAt = header.indexOf('svname');
  const statusAt = header.indexOf('status');
  if (proxyAt === -1 || serverAt === -1 || statusAt === -1) return { found: false, primary: null };
  let found = false;
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    if (cells[proxyAt] !== listener) continue;
    found = true;
    const server = cells[serverAt] ?? '';
    if (server === 'FRONTEND' || server === 'BACKEND') continue;
    // "UP", or "UP 1/2" while it is failing its checks but not yet marked down (still routed to).
    if ((cells[statusAt] ?? '').startsWith('UP')) return { found, primary: server };
  }
  return { found, primary: null };
}
