import type { Logger } from "../../../core/log/logger.js";
import type { CollectorHealth } from "../../process/collector-health.js";
import type { Tailer } from "./tailer.js";

/**
 * Polls tailers on their intervals, one poll at a time per tailer. A failed poll is
 * counted (`aiwatch_exporter_collector_errors_total{collector="training",reason}`) and
 * logged when the tailer's state changes, not at every poll; the collector is up only
 * while no tailer is failing.
 */
export class TailerLoop {
  private readonly failing = new Map<Tailer, string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly tailers: readonly { readonly tailer: Tailer; readonly intervalMs: number }[],
    private readonly health: CollectorHealth,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  /** Polls every tailer once (restoring runs from existing files), then on interval. */
  async start(): Promise<void> {
    await Promise.all(this.tailers.map(({ tailer }) => this.pollOnce(tailer)));
    for (const entry of this.tailers) this.schedule(entry.tailer, entry.intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.inFlight]);
    for (const { tailer } of this.tailers) await tailer.close();
  }

  private schedule(tailer: Tailer, intervalMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const run = this.pollOnce(tailer).finally(() => {
        this.inFlight.delete(run);
        this.schedule(tailer, intervalMs);
      });
      this.inFlight.add(run);
    }, intervalMs);
    timer.unref();
    this.timers.add(timer);
  }

  private async pollOnce(tailer: Tailer): Promise<void> {
    const started = this.now();
    try {
      await tailer.poll();
      if (this.failing.delete(tailer))
        this.logger.info("tailer recovered", { tailer: tailer.name });
      if (this.failing.size === 0) this.health.succeeded(this.now() - started);
    } catch (error) {
      const reason = failureReason(error);
      if (this.failing.get(tailer) !== reason)
        this.logger.warn("tailer failed", { tailer: tailer.name, reason, error });
      this.failing.set(tailer, reason);
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
    case "EISDIR":
    case "ENOTDIR":
      return "not_a_file";
    default:
      return "read_error";
  }
}
