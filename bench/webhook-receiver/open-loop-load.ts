import { Agent, request } from "node:http";

export interface LoadResult {
  readonly sent: number;
  readonly ok: number;
  readonly failed: number;
  /** Failures by HTTP status or error code, to tell a 503 from a refused connection. */
  readonly failures: Readonly<Record<string, number>>;
  /** Milliseconds from each request's *scheduled* send time to its answer. */
  readonly latenciesMs: number[];
  readonly durationMs: number;
}

export interface LoadOptions {
  /** Request i goes to urls[i % urls.length] (replicas behind a load balancer). */
  readonly urls: readonly string[];
  readonly ratePerSecond: number;
  readonly durationMs: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The body of the i-th request. */
  body(index: number): string;
}

/**
 * An open-loop load generator: request i is due at start + i / rate whatever happened to
 * earlier ones, and its latency is measured from that due time. A server that stalls
 * therefore shows the stall in every request that should have been sent meanwhile, instead
 * of the generator quietly waiting (coordinated omission).
 */
export async function runOpenLoop(options: LoadOptions): Promise<LoadResult> {
  const targets = options.urls.map((u) => new URL(u));
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.round((options.ratePerSecond * options.durationMs) / 1000);
  const intervalMs = 1000 / options.ratePerSecond;
  const latenciesMs: number[] = [];
  let ok = 0;
  let failed = 0;
  const failures: Record<string, number> = {};
  const fail = (why: string): void => {
    failed++;
    failures[why] = (failures[why] ?? 0) + 1;
  };
  let sent = 0;
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  const send = async (index: number, dueAt: number): Promise<void> => {
    const outcome = await post(agent, targets, options, index);
    // An answer (any status) has a latency; a failed request has none.
    if (typeof outcome === "number") latenciesMs.push(performance.now() - dueAt);
    if (outcome === 200) ok++;
    else fail(typeof outcome === "number" ? `HTTP ${outcome}` : outcome);
  };
  await new Promise<void>((done) => {
    const pump = (): void => {
      const now = performance.now();
      while (sent < total && start + sent * intervalMs <= now) {
        inFlight.push(send(sent, start + sent * intervalMs));
        sent++;
      }
      if (sent >= total) done();
      else setTimeout(pump, Math.max(0, start + sent * intervalMs - performance.now()));
    };
    pump();
  });
  await Promise.all(inFlight);
  agent.destroy();
  return { sent, ok, failed, failures, latenciesMs, durationMs: performance.now() - start };
}

/**
 * A closed loop: `concurrency` requests always in flight, each sent as soon as the last
 * one on its lane was answered, for `durationMs`. Its rate is the server's maximum.
 */
export async function runClosedLoop(
  options: Omit<LoadOptions, "ratePerSecond"> & { readonly concurrency: number },
): Promise<{ ok: number; failed: number; perSecond: number }> {
  const targets = options.urls.map((u) => new URL(u));
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  let next = 0;
  let ok = 0;
  let failed = 0;
  const start = performance.now();
  const lane = async (): Promise<void> => {
    while (performance.now() - start < options.durationMs) {
      if ((await post(agent, targets, options, next++)) === 200) ok++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, lane));
  agent.destroy();
  return { ok, failed, perSecond: ok / ((performance.now() - start) / 1000) };
}

/**
 * POSTs the `index`-th body to its target; resolves with the HTTP status once the answer
 * was read, or with the error's code when the request failed.
 */
function post(
  agent: Agent,
  targets: readonly URL[],
  options: Pick<LoadOptions, "headers" | "body">,
  index: number,
): Promise<number | string> {
  const body = options.body(index);
  const target = targets[index % targets.length] ?? new URL("http://127.0.0.1/");
  return new Promise((resolve) => {
    const req = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        headers: { ...options.headers, "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end(body);
  });
}
