// A TCP proxy a test controls, that can be cut off the way a network partition cuts a link.
import net from 'node:net';

/**
 * A local TCP proxy in front of one server (a test's Postgres), which the test can *blackhole*:
 * while cut, nothing crosses in either direction, yet no socket is closed and new connections are
 * accepted but never reach the server — what a partition looks like from either side (packets
 * vanish; no RST, no FIN, no refused connection, so only the clients' own deadlines notice).
 * Closing the proxy's sockets or refusing connections instead would be a crash, which clients
 * detect at once and which tests of crashes already cover.
 *
 * While cut, bytes are held, not dropped: TCP retransmits what the other side has not
 * acknowledged, so after a short partition heals everything sent during it still arrives, in
 * order. A close during the cut likewise reaches the other side only once the link is back.
 */
export interface BlackholeProxy {
  /** The proxy's port on 127.0.0.1. */
  port: number;
  /** `url` (a postgres:// connection string to the server) pointed at the proxy instead. */
  through: (url: string) => string;
  /** Cuts the link: both directions stop, sockets stay open, new connections hang. */
  blackhole: () => void;
  /** Restores it: held bytes and closes are delivered, held new connections reach the server. */
  heal: () => void;
  readonly isCut: boolean;
  /** Connections the proxy holds open right now (client side). */
  connections: () => number;
  /** Closes the listener and every socket. */
  stop: () => Promise<void>;
}

interface Link {
  client: net.Socket;
  server: net.Socket | null;
}

export async function startBlackholeProxy(target: { host: string; port: number }): Promise<BlackholeProxy> {
  const links = new Set<Link>();
  // An object, so handlers registered earlier read the flag `blackhole`/`heal` set afresh.
  const state = { isCut: false };

  /** Bytes one way; `pause` on a source stops its 'data' events, so a cut holds them in the kernel. */
  const forward = (from: net.Socket, to: net.Socket): void => {
    from.on('data', (chunk: Buffer) => {
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => {
          if (!state.isCut) from.resume();
        });
      }
    });
    // A close reaches the other side only through the link (read while healed: a paused socket
    // does not see the peer's FIN until it is resumed).
    from.on('end', () => {
      to.end();
    });
    from.on('close', () => {
      if (!state.isCut) to.destroy();
    });
  };

  const connectUpstream = (link: Link): void => {
    if (link.client.destroyed) {
      links.delete(link);
      return;
    }
    const server = net.connect({ host: target.host, port: target.port, allowHalfOpen: true });
    server.on('error', () => {
      link.client.destroy();
    });
    link.server = server;
    forward(link.client, server);
    forward(server, link.client);
    link.client.resume();
  };

  const listener = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    const link: Link = { client, server: null };
    links.add(link);
    client.on('error', () => {
      link.server?.destroy();
    });
    client.on('close', () => {
      if (!state.isCut) links.delete(link);
    });
    // Accepted, but while cut it never reaches the server (it stays paused until `heal`).
    if (!state.isCut) connectUpstream(link);
  });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(0, '127.0.0.1', () => {
      resolve();
    });
  });
  const address = listener.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');
  const { port } = address;

  return {
    port,
    through: (url) => {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    blackhole: () => {
      state.isCut = true;
      for (const link of links) {
        link.client.pause();
        link.server?.pause();
      }
    },
    heal: () => {
      state.isCut = false;
      for (const link of [...links]) {
        if (link.server === null) {
          connectUpstream(link);
          continue;
        }
        // A side that closed during the cut: its close is delivered now.
        if (link.client.destroyed || link.server.destroyed) {
          link.client.destroy();
          link.server.destroy();
          links.delete(link);
          continue;
        }
        link.client.resume();
        link.server.resume();
      }
    },
    get isCut() {
      return state.isCut;
    },
    connections: () => [...links].filter((link) => !link.client.destroyed).length,
    stop: async () => {
      for (const link of links) {
        link.client.destroy();
        link.server?.destroy();
      }
      links.clear();
      await new Promise<void>((resolve) => {
        listener.close(() => {
          resolve();
        });
      });
    },
  };
}
