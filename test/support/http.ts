// Real servers on loopback for the tests: an app listening on 127.0.0.1, port 0, closed with its connections.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RunningServer {
  /** e.g. http://127.0.0.1:54321 */
  url: string;
  close(): Promise<void>;
}

/** Listens with an app whose `listen(port, host)` returns a node:http Server (Express, Koa, a plain server). */
export async function listen(app: { listen(port: number, host: string): Server }): Promise<RunningServer> {
  const server: Server = app.listen(0, '127.0.0.1');
  if (!server.listening) await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
