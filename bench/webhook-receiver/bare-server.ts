import { createServer } from "node:http";

/**
 * The baseline: a bare node:http server that reads the same webhook body, parses the JSON
 * and answers 200, persisting nothing. Started as its own process by the benchmark.
 */
const port = Number(process.argv[2] ?? 0);
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    try {
      JSON.parse(Buffer.concat(chunks).toString("utf8"));
      res.writeHead(200, { "content-type": "application/json" }).end('{"status":"success"}');
    } catch {
      res.writeHead(400).end();
    }
  });
});
// As the receiver does (Alertmanager keeps idle connections up to 90 s): with Node's 5 s
// default, the server closed idle keep-alive connections while the generator reused them,
// and the baseline failed requests with ECONNRESET that the receiver never sees.
server.keepAliveTimeout = 95_000;
server.headersTimeout = 96_000;
server.listen(port, "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(
    `listening ${typeof address === "object" && address ? address.port : port}\n`,
  );
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
