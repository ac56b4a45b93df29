import type { Logger } from "../../../core/log/logger.js";
import type { CollectorHealth } from "../../process/collector-health.js";
/** Something polled on an interval: a tailer, an upstream server's /metrics. */
export interface Pollable {
  readonly name: string;
  poll(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Polls each source on its interval, one poll at a time per source. A failed poll is
 * counted (`aiwatch_exporter_collector_errors_total{collector,reason}`) and logged when
 * the source's state changes, not at every poll; the collector is up only while no
 * source is failing.
 */
export class PollLoop {
  private readonly failing = new Map<Pollable, string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly sources: readonly { readonly source: Pollable; readonly intervalMs: number }[],
    private readonly health: CollectorHealth,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  /** Polls every source once (tailers restore runs from existing files), then on interval. */
  async start(): Promise<void> {
    await Promise.all(this.sources.map(({ source }) => this.pollOnce(source)));
    for (const entry of this.sources) this.schedule(entry.source, entry.intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.inFlight]);
    for (const { source } of this.sources) await source.close();
  }

  private schedule(source: Pollable, intervalMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const run = this.pollOnce(source).finally(() => {
        this.inFlight.delete(run);
        this.schedule(source, intervalMs);
      });
      this.inFlight.add(run);
    }, intervalMs);
    timer.unref();
    this.timers.add(timer);
  }

  private async pollOnce(source: Pollable): Promise<void> {
    const started = this.now();
    try {
      await source.poll();
      if (this.failing.delete(source))
        this.logger.info("source recovered", { source: source.name });
      if (this.failing.size === 0) this.health.succeeded(this.now() - started);
    } catch (error) {
      const reason = failureReason(error);
      if (this.failing.get(source) !== reason)
        this.logger.warn("source failed", { source: source.name, reason, error });
      this.failing.set(source, reason);
      this.health.failed(reason, this.now() - started);
    }
  }
}

/** A short fixed word for the errors_total `reason` label. */
export function failureReason(error: unknown): string {
  const explicit = (error as { reason?: unknown } | null)?.reason;
  if (typeof explicit === "string") return explicit;
  switch ((error as NodeJS.ErrnoException | null)?.code) {
    case "ENOENT":
      return "not_found";
    case "EACCES":
    case "EPERM":
      return "permission_denied";
    case "ECONNREFUSED":
      return "connection_refused";
    case "EISDIR":
    case "ENOTDIR":
      return "not_a_file";
    default:
      return "read_error";
  }
}
