import { createServer } from "node:http";
import type { IncomingMessage } from "node:http";
import { serveChild } from "./serve-child.js";

/**
 * The receiver bench's destination: a process of its own, as a chat platform is. It counts
 * every notification that reaches `/sink` (generic-webhook bodies) by its first alert's
 * fingerprint; `POST /check` with a JSON array of expected fingerprints answers how many
 * never arrived and how many arrived more than once.
 *
 * In the generator's process, its parsing of digests shared the event loop that sends
 * requests on schedule and times their answers, a cost the bare baseline never paid.
 */
const port = Number(process.argv[2] ?? 0);
const seen = new Map<string, number>();

function readBody(req: IncomingMessage, done: (body: string) => void): void {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => done(Buffer.concat(chunks).toString("utf8")));
}

const server = createServer((req, res) => {
  readBody(req, (text) => {
    if (req.url === "/check") {
      let expected: string[];
      try {
        expected = JSON.parse(text) as string[];
      } catch {
        res.writeHead(400).end("expected a JSON array of fingerprints");
        return;
      }
      let lost = 0;
      let twice = 0;
      for (const key of expected) {
        const count = seen.get(key) ?? 0;
        if (count === 0) lost++;
        else if (count > 1) twice++;
      }
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ lost, twice }));
      return;
    }
    try {
      const body = JSON.parse(text) as {
        notifications?: { alerts?: { fingerprint?: string }[] }[];
      };
      for (const n of body.notifications ?? []) {
        // One notification per webhook: its first alert's fingerprint names it.
        const key = n.alerts?.[0]?.fingerprint ?? "";
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
    } catch {
      // Counted as missing by /check.
    }
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
});
serveChild(server, port);
