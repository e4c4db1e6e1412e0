/**
 * A loopback TCP proxy in front of the test server, so one test can make *its* store's server
 * unreachable (refusing, or accepting and never answering) without touching the shared server
 * other test files use.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** `url` with host and port replaced by the proxy's. */
  url: string;
  /** Drops every connection and refuses new ones (ECONNREFUSED). */
  refuse(): Promise<void>;
  /** Open connections stop being answered and new ones are accepted but never answered (a hung server). */
  blackhole(): void;
  /** Forwards again. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

type Mode = 'forward' | 'blackhole';

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const targetPort = Number(target.port || 5432);
  const targetHost = target.hostname;
  const sockets = new Set<Socket>();
  const pairs = new Set<[Socket, Socket]>();
  let mode: Mode = 'forward';
  let port = 0;
  let server: Server | undefined;

  const track = (s: Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };

  const listen = async (): Promise<void> => {
    const srv = createServer((client) => {
      track(client);
      if (mode === 'blackhole') return;
      const upstream = connect(targetPort, targetHost);
      track(upstream);
      const pair: [Socket, Socket] = [client, upstream];
      pairs.add(pair);
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => {
        pairs.delete(pair);
        upstream.destroy();
      });
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => resolve());
    });
    const addr = srv.address();
    if (typeof addr !== 'object' || addr === null) throw new Error('proxy has no address');
    port = addr.port;
    server = srv;
  };

  const dropAll = (): void => {
    for (const s of sockets) s.destroy();
    sockets.clear();
  };

  const stopListening = async (): Promise<void> => {
    const srv = server;
    server = undefined;
    if (srv) await new Promise<void>((resolve) => srv.close(() => resolve()));
  };

  await listen();
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);

  return {
    url: url.toString(),
    async refuse() {
      const closing = stopListening();
      dropAll();
      await closing;
    },
    blackhole() {
      mode = 'blackhole';
      // Connections stay open, but whatever either side sends is swallowed.
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.resume();
        upstream.resume();
      }
    },
    async restore() {
      mode = 'forward';
      // Swallowed connections are beyond repair: drop them so clients reconnect.
      for (const [client] of pairs) client.destroy();
      if (!server) await listen();
    },
    async close() {
      const closing = stopListening();
      dropAll();
      await closing;
    },
  };
}
