/**
 * The server side of the /metrics benchmark, run as its own process (forked by
 * metrics-render.bench.ts) so the scraper's work never shares its event loop: the
 * exporter's real HTTP app, the hand-written builder on bare `node:http`, and
 * prom-client's registry on `node:http`, all serving the same series. Driven over IPC.
 */
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { IntervalHistogram } from "node:perf_hooks";
import { createGzip } from "node:zlib";
import client from "prom-client";
import { createLogger } from "../../../core/log/logger.js";
import { createMetricsRegistry } from "../../../core/metrics/metrics-registry.js";
import { ExpositionRegistry } from "../../../exporters/exposition/exposition-registry.js";
import type { ScalarFamily } from "../../../exporters/exposition/scalar-family.js";
import { acceptsGzip } from "../../../exporters/exposition/accept-encoding.js";
import { DEFAULT_GZIP_LEVEL } from "../../../exporters/exposition/write-exposition.js";
import { CollectorHealthMetrics } from "../../../exporters/process/collector-health.js";
import { createExporterApp } from "../../../exporters/process/exporter-app.js";
import { ExporterRuntime } from "../../../exporters/process/exporter-runtime.js";
import { dataset, FAMILIES, HELP, LABELS } from "./dataset.js";
import type { BenchSeries } from "./dataset.js";
import { PrefixBuilder } from "./prefix-builder.js";

export type Request =
  | { readonly type: "setup"; readonly size: number; readonly promClient: boolean }
  | { readonly type: "update" }
  | { readonly type: "delay-start" }
  | { readonly type: "delay-stop" }
  | { readonly type: "teardown" };

export type Reply =
  | {
      readonly type: "ready";
      readonly urls: Readonly<Record<string, string>>;
      readonly bytesPerSeries: { readonly aiwatch: number; readonly builder: number };
    }
  | { readonly type: "updated" }
  | { readonly type: "delay-started" }
  | { readonly type: "delay"; readonly p50: number; readonly p99: number; readonly max: number }
  | { readonly type: "closed" };

const TEXT = "text/plain; version=0.0.4; charset=utf-8";

interface Contenders {
  readonly byFamily: Map<string, BenchSeries[]>;
  readonly families: Map<string, ScalarFamily>;
  readonly prom: Map<string, client.Gauge> | undefined;
  readonly servers: Server[];
  round: number;
}

let contenders: Contenders | undefined;
let delay: IntervalHistogram | undefined;

process.on("message", (message: Request) => {
  handle(message).then(
    (reply) => process.send?.(reply),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});

async function handle(message: Request): Promise<Reply> {
  switch (message.type) {
    case "setup":
      return setup(message.size, message.promClient);
    case "update":
      update();
      return { type: "updated" };
    case "delay-start":
      delay = monitorEventLoopDelay({ resolution: 1 });
      delay.enable();
      return { type: "delay-started" };
    case "delay-stop": {
      delay?.disable();
      const ms = (ns: number): number => ns / 1e6;
      const reply: Reply = {
        type: "delay",
        p50: ms(delay?.percentile(50) ?? NaN),
        p99: ms(delay?.percentile(99) ?? NaN),
        max: ms(delay?.max ?? NaN),
      };
      delay = undefined;
      return reply;
    }
    case "teardown":
      for (const server of contenders?.servers ?? []) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
      contenders = undefined;
      return { type: "closed" };
  }
}

async function setup(size: number, promClient: boolean): Promise<Reply> {
  const bytesPerSeries = {
    aiwatch: measureHeap(size, (n) => aiwatchRegistry(n, freshLabels)),
    builder: measureHeap(size, (n) => new PrefixBuilder(dataset(n))),
  };
  const byFamily = dataset(size);
  const { registry, families } = aiwatchRegistry(size, (i) => seriesOf(byFamily, i).labels);
  const prom = promClient ? promGauges(byFamily) : undefined;
  const builder = new PrefixBuilder(byFamily);
  contenders = { byFamily, families, prom: prom?.gauges, servers: [], round: 0 };
  update();
  const urls: Record<string, string> = {};
  const serve = async (name: string, server: Server): Promise<void> => {
    contenders?.servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    urls[name] = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  };
  await serve("aiwatch", createServer(exporterApp(registry)));
  await serve(
    "builder",
    createServer((req, res) => send(req, res, builder.render())),
  );
  if (prom)
    await serve(
      "prom-client",
      createServer((req, res) => {
        prom.registry.metrics().then(
          (text) => send(req, res, text),
          () => res.destroy(),
        );
      }),
    );
  return { type: "ready", urls, bytesPerSeries };
}

/** The exporter's own app, exactly as `aiwatch exporter` serves it. */
function exporterApp(registry: ExpositionRegistry) {
  const metrics = createMetricsRegistry();
  const logger = createLogger({ component: "bench", level: "error" });
  const health = new CollectorHealthMetrics(metrics);
  return createExporterApp({
    metrics,
    exposition: registry,
    runtime: new ExporterRuntime([], registry, health, logger, Date.now),
    lifecycle: {
      name: "bench",
      notReadyReason: () => undefined,
      reload: () => Promise.resolve({ ok: true, diagnostics: [] }),
    },
    credentials: () => ({ bearerTokens: [], basicAuth: [] }),
    maxBodyBytes: () => 1 << 20,
    rejectedRequests: new client.Counter({
      name: "aiwatch_exporter_rejected_requests_total",
      help: "Refused requests.",
      labelNames: ["endpoint", "reason"],
      registers: metrics.registers,
    }),
    logger,
    version: "bench",
  });
}

/** What a hand-written server does: the whole text, gzipped off the loop when asked. */
function send(req: IncomingMessage, res: ServerResponse, text: string): void {
  if (!acceptsGzip(req.headers["accept-encoding"])) {
    res.writeHead(200, { "Content-Type": TEXT });
    res.end(text);
    return;
  }
  res.writeHead(200, { "Content-Type": TEXT, "Content-Encoding": "gzip" });
  const compressed = createGzip({ level: DEFAULT_GZIP_LEVEL });
  compressed.pipe(res);
  compressed.end(text);
}

function aiwatchRegistry(
  size: number,
  labelsOf: (i: number) => readonly string[],
): { registry: ExpositionRegistry; families: Map<string, ScalarFamily> } {
  const registry = new ExpositionRegistry(
    () => size,
    () => undefined,
    () => size,
  );
  const scope = registry.scope("bench");
  const families = new Map<string, ScalarFamily>();
  for (let f = 0; f < FAMILIES; f++) {
    const name = `aiwatch_bench_family_${f}`;
    families.set(name, scope.gauge({ name, help: HELP, labelNames: [...LABELS] }));
  }
  for (let i = 0; i < size; i++)
    families.get(`aiwatch_bench_family_${i % FAMILIES}`)?.set(labelsOf(i), 0);
  return { registry, families };
}

/** Label values made for this series alone, as parsed JSON would give them. */
function freshLabels(i: number): readonly string[] {
  return [`run-${Math.floor(i / 100)}`, `job-${i % 7}`, `metric_${i % 100}`];
}

function seriesOf(byFamily: Map<string, BenchSeries[]>, i: number): BenchSeries {
  const series = byFamily.get(`aiwatch_bench_family_${i % FAMILIES}`)?.[Math.floor(i / FAMILIES)];
  if (!series) throw new Error(`no series ${i}`);
  return series;
}

function promGauges(byFamily: Map<string, BenchSeries[]>) {
  const registry = new client.Registry();
  const gauges = new Map(
    [...byFamily.keys()].map((name) => [
      name,
      new client.Gauge({ name, help: HELP, labelNames: [...LABELS], registers: [registry] }),
    ]),
  );
  return { registry, gauges };
}

/** Every value changes between scrapes: nothing is cacheable. */
function update(): void {
  if (!contenders) return;
  const round = ++contenders.round;
  for (const [family, series] of contenders.byFamily) {
    const ours = contenders.families.get(family);
    const prom = contenders.prom?.get(family);
    for (const s of series) {
      s.value = Math.round(Math.random() * 1e6) / 1e3 + round;
      ours?.set(s.labels, s.value);
      prom?.set({ run_id: s.labels[0], job_name: s.labels[1], metric: s.labels[2] }, s.value);
    }
  }
}

/** Heap bytes per series of what `build` keeps, with the process's collector run first. */
function measureHeap(size: number, build: (size: number) => unknown): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return NaN;
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = build(size);
  gc();
  const after = process.memoryUsage().heapUsed;
  if (kept === undefined) throw new Error("unreachable");
  return (after - before) / size;
}
