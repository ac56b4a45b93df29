import { connect, createServer } from "node:net";
import type { Server, Socket } from "node:net";

export interface ServiceProxy {
  readonly url: string;
  /** Connections made to each backend port, for the record. */
  readonly connections: ReadonlyMap<number, number>;
  close(): Promise<void>;
}

/**
 * What a Kubernetes Service does for the receiver's replicas (kube-proxy, L4): each new
 * connection goes to the next backend round-robin, and a backend that refuses it (killed,
 * restarting) is skipped for the next. A connection's requests stay on its backend; when
 * that backend dies, the connection breaks and the client reconnects elsewhere.
 */
export async function startServiceProxy(backends: readonly number[]): Promise<ServiceProxy> {
  let next = 0;
  const connections = new Map<number, number>();
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    open.add(client);
    client.on("close", () => open.delete(client));
    client.on("error", () => client.destroy());
    const tryBackend = (left: number): void => {
      const port = backends[next++ % backends.length] ?? 0;
      const upstream = connect(port, "127.0.0.1");
      open.add(upstream);
      upstream.once("connect", () => {
        connections.set(port, (connections.get(port) ?? 0) + 1);
        client.pipe(upstream);
        upstream.pipe(client);
      });
      upstream.on("close", () => {
        open.delete(upstream);
        client.destroy();
      });
      upstream.on("error", (error: NodeJS.ErrnoException) => {
        if (error.code === "ECONNREFUSED" && left > 1) {
          upstream.removeAllListeners("close");
          open.delete(upstream);
          tryBackend(left - 1);
          return;
        }
        client.destroy();
      });
    };
    tryBackend(backends.length);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
