import { fork } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { Agent, request } from "node:http";
import { gunzipSync } from "node:zlib";
import type { Benchmark, BenchRow } from "../support/benchmark.js";
import { median } from "../support/benchmark.js";
import type { Reply, Request } from "./metrics-render/serve-contenders.js";

const SIZES = [
  { size: 10_000, label: "10k", rounds: 15 },
  { size: 100_000, label: "100k", rounds: 9 },
  { size: 1_000_000, label: "1M", rounds: 3 },
] as const;
/** prom-client takes seconds at 1M series; it is shown where it is a peer, not a wait. */
const PROM_CLIENT_UP_TO = 100_000;
const BACK_TO_BACK_SCRAPES = 20;
const TEXT_ACCEPT = "text/plain;version=0.0.4;q=0.9,*/*;q=0.1";

interface Scrape {
  readonly ms: number;
  readonly bytes: number;
  readonly body?: Buffer;
}

/**
 * DESIGN.md: /metrics over HTTP at 10k, 100k and 1M series within 1.5x of a hand-written
 * builder served by `node:http`, event-loop delay p99 < 20 ms during back-to-back scrapes
 * of 100k series, gzip when asked. The servers run in a child process (the exporter's
 * real app, the builder, prom-client's registry); this process is the scraper and times
 * each scrape from request to last byte. Every value changes between rounds, and the
 * contenders take turns within each round, so a busy machine slows them alike.
 */
export const metricsRenderBenchmark: Benchmark = {
  id: "metrics-render",
  name: "/metrics over HTTP",
  part: "exporters",
  async run({ log }) {
    const rows: BenchRow[] = [];
    const server = new ContenderProcess();
    try {
      for (const { size, label, rounds } of SIZES) {
        const ready = await server.ask({
          type: "setup",
          size,
          promClient: size <= PROM_CLIENT_UP_TO,
        });
        if (ready.type !== "ready") throw new Error(`unexpected ${ready.type}`);
        const names = Object.keys(ready.urls);
        const url = (name: string): string => ready.urls[name] ?? "";
        // A new connection per scrape: an idle kept-alive one can race the server's
        // keep-alive timeout while 1M values are updated between scrapes.
        const agent = new Agent({ keepAlive: false });
        try {
          const bodyBytes = await checkSameSeries(url, agent);
          const samples = new Map<string, number[]>();
          const gzipBytes = new Map<string, number>();
          for (let round = -1; round < rounds; round++) {
            for (const name of names) {
              for (const gzip of [false, true]) {
                await server.ask({ type: "update" });
                const scrape = await get(url(name), agent, gzip);
                if (gzip) gzipBytes.set(name, scrape.bytes);
                const key = `${name}${gzip ? " gzip" : ""}`;
                if (round >= 0) samples.set(key, [...(samples.get(key) ?? []), scrape.ms]);
              }
            }
          }
          const ms = (key: string): number => median(samples.get(key) ?? []);
          rows.push(
            {
              what: `GET /metrics, ${label} series (aiwatch exporter)`,
              value: ms("aiwatch"),
              unit: "ms",
              baselineName: "builder on node:http",
              baseline: ms("builder"),
              budget: "<= 1.5x builder",
              withinBudget: ms("aiwatch") <= 1.5 * ms("builder"),
              note: `${(bodyBytes / 1e6).toFixed(1)} MB`,
            },
            {
              what: `GET /metrics gzip, ${label} series (aiwatch exporter)`,
              value: ms("aiwatch gzip"),
              unit: "ms",
              baselineName: "builder + zlib on node:http",
              baseline: ms("builder gzip"),
              note: `${((gzipBytes.get("aiwatch") ?? 0) / 1e6).toFixed(2)} MB sent, ${(bodyBytes / (gzipBytes.get("aiwatch") ?? 1)).toFixed(1)}x smaller`,
            },
          );
          if (names.includes("prom-client"))
            rows.push({
              what: `GET /metrics, ${label} series (prom-client registry)`,
              value: ms("prom-client"),
              unit: "ms",
              baselineName: "builder on node:http",
              baseline: ms("builder"),
            });
          rows.push({
            what: `heap per series, ${label} series (aiwatch exposition store)`,
            value: ready.bytesPerSeries.aiwatch,
            unit: "bytes",
            baselineName: "builder",
            baseline: ready.bytesPerSeries.builder,
            note: "label values, rendered name{labels} prefix, map entry; measured after gc",
          });
          if (size === 100_000) {
            for (const name of ["aiwatch", "builder"]) {
              for (const gzip of [false, true]) {
                const delay = await backToBack(server, url(name), agent, gzip);
                rows.push({
                  what: `event-loop delay p99, back-to-back ${gzip ? "gzip " : ""}scrapes of ${label} series (${name === "aiwatch" ? "aiwatch exporter" : "builder on node:http"})`,
                  value: delay.p99,
                  unit: "ms",
                  ...(name === "aiwatch" && !gzip
                    ? { budget: "p99 < 20 ms", withinBudget: delay.p99 < 20 }
                    : {}),
                  note: `p50 ${delay.p50.toFixed(1)} ms, max ${delay.max.toFixed(1)} ms`,
                });
              }
            }
          }
          log(`${label}: ${(bodyBytes / 1e6).toFixed(1)} MB of text, ${rounds} interleaved rounds`);
        } finally {
          agent.destroy();
          await server.ask({ type: "teardown" });
        }
      }
    } finally {
      server.stop();
    }
    return rows;
  },
};

/**
 * The contenders serve the same samples: aiwatch's body is its own metrics followed by
 * exactly the builder's text, plain and gzipped. Returns the builder's body size.
 */
async function checkSameSeries(url: (name: string) => string, agent: Agent): Promise<number> {
  const builder = (await get(url("builder"), agent, false, true)).body?.toString() ?? "";
  const ours = (await get(url("aiwatch"), agent, false, true)).body?.toString() ?? "";
  const oursGzip = gunzipSync((await get(url("aiwatch"), agent, true, true)).body ?? Buffer.of());
  const families = (text: string): string => text.slice(text.indexOf("# HELP aiwatch_bench_"));
  if (families(ours) !== builder || families(oursGzip.toString()) !== builder)
    throw new Error("aiwatch and the builder do not serve the same samples");
  return Buffer.byteLength(builder);
}

async function backToBack(
  server: ContenderProcess,
  url: string,
  agent: Agent,
  gzip: boolean,
): Promise<{ p50: number; p99: number; max: number }> {
  await server.ask({ type: "delay-start" });
  for (let i = 0; i < BACK_TO_BACK_SCRAPES; i++) await get(url, agent, gzip);
  const reply = await server.ask({ type: "delay-stop" });
  if (reply.type !== "delay") throw new Error(`unexpected ${reply.type}`);
  return reply;
}

function get(url: string, agent: Agent, gzip: boolean, keepBody = false): Promise<Scrape> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const req = request(
      url,
      {
        agent,
        headers: { Accept: TEXT_ACCEPT, ...(gzip ? { "Accept-Encoding": "gzip" } : {}) },
      },
      (res) => {
        let bytes = 0;
        const parts: Buffer[] = [];
        res.on("data", (chunk: Buffer) => {
          bytes += chunk.length;
          if (keepBody) parts.push(chunk);
        });
        res.on("end", () => {
          if (res.statusCode !== 200) reject(new Error(`${url}: HTTP ${res.statusCode}`));
          if (gzip !== (res.headers["content-encoding"] === "gzip"))
            reject(new Error(`${url}: gzip asked ${gzip}, got ${res.headers["content-encoding"]}`));
          resolve({
            ms: Number(process.hrtime.bigint() - start) / 1e6,
            bytes,
            ...(keepBody ? { body: Buffer.concat(parts) } : {}),
          });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** The forked server process and its one-at-a-time request/reply channel. */
class ContenderProcess {
  private readonly child: ChildProcess;

  constructor() {
    this.child = fork(new URL("./metrics-render/serve-contenders.js", import.meta.url), [], {
      execArgv: ["--expose-gc", "--max-old-space-size=6144"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
  }

  ask(message: Request): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null): void =>
        reject(new Error(`the contender process exited (${code})`));
      this.child.once("exit", onExit);
      this.child.once("message", (reply: Reply) => {
        this.child.off("exit", onExit);
        resolve(reply);
      });
      this.child.send(message);
    });
  }

  stop(): void {
    this.child.kill();
  }
}
