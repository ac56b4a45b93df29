import { createServer } from "node:http";
import { serveChild } from "./serve-child.js";

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
serveChild(server, port);
