import type { Server } from "node:http";

/**
 * Runs a bench server as a child process: listens on 127.0.0.1:`port` (0: any), says
 * `listening PORT` on stdout (what ack.bench.ts waits for) and closes on SIGTERM. Idle
 * keep-alive connections live 95 s, as the receiver's do (Alertmanager keeps them up to
 * 90 s): with Node's 5 s default, a server closed connections the generator was reusing,
 * failing requests with ECONNRESET that the receiver never sees.
 */
export function serveChild(server: Server, port: number): void {
  server.keepAliveTimeout = 95_000;
  server.headersTimeout = 96_000;
  server.listen(port, "127.0.0.1", () => {
    const address = server.address();
    process.stdout.write(
      `listening ${typeof address === "object" && address ? address.port : port}\n`,
    );
  });
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
}
