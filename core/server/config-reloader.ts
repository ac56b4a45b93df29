import client from "prom-client";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { formatDiagnostics } from "../diagnostics/format.js";
import type { Logger } from "../log/logger.js";
import type { MetricsRegistry } from "../metrics/metrics-registry.js";

export type LoadResult<C> =
  | { readonly ok: true; readonly config: C }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/**
 * Holds the active configuration. A reload validates the new file completely before
 * anything changes; if it is invalid, or applying it fails, the previous configuration
 * stays active and the failure is logged and visible in metrics, as Prometheus does.
 * Reloads are serialised: a SIGHUP during a reload waits for it.
 */
export class ConfigReloader<C> {
  private active: C;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly lastSuccessful: client.Gauge;
  private readonly lastSuccessTime: client.Gauge;
  private readonly reloads: client.Counter<"result">;

  constructor(
    initial: C,
    private readonly load: () => Promise<LoadResult<C>>,
    private readonly apply: (next: C, previous: C) => Promise<void>,
    metrics: MetricsRegistry,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.active = deepFreeze(initial);
    this.lastSuccessful = new client.Gauge({
      name: "aiwatch_config_last_reload_successful",
      help: "Whether the last configuration reload attempt was successful.",
      registers: metrics.registers,
    });
    this.lastSuccessTime = new client.Gauge({
      name: "aiwatch_config_last_reload_success_timestamp_seconds",
      help: "Timestamp of the last successful configuration reload.",
      registers: metrics.registers,
    });
    this.reloads = new client.Counter({
      name: "aiwatch_config_reloads_total",
      help: "Configuration reload attempts by result.",
      labelNames: ["result"],
      registers: metrics.registers,
    });
    this.lastSuccessful.set(1);
    this.lastSuccessTime.set(this.now() / 1000);
    this.reloads.inc({ result: "success" }, 0);
    this.reloads.inc({ result: "failure" }, 0);
  }

  current(): C {
    return this.active;
  }

  reload(): Promise<LoadResult<C>> {
    const run = this.queue.then(() => this.reloadNow());
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async reloadNow(): Promise<LoadResult<C>> {
    const result = await this.load();
    if (!result.ok) return this.fail(result.diagnostics);
    const next = deepFreeze(result.config);
    try {
      await this.apply(next, this.active);
    } catch (error) {
      return this.fail([
        {
          code: "apply-failed",
          severity: "error",
          message: (error as Error).message,
          file: "configuration",
        },
      ]);
    }
    this.active = next;
    this.lastSuccessful.set(1);
    this.lastSuccessTime.set(this.now() / 1000);
    this.reloads.inc({ result: "success" });
    this.logger.info("configuration reloaded");
    return { ok: true, config: next };
  }

  private fail(diagnostics: readonly Diagnostic[]): LoadResult<C> {
    this.lastSuccessful.set(0);
    this.reloads.inc({ result: "failure" });
    this.logger.error("configuration reload failed; keeping the previous configuration", {
      errors: formatDiagnostics(diagnostics).trimEnd().split("\n"),
    });
    return { ok: false, diagnostics };
  }
}

/** Validated configuration is frozen, so nothing downstream can change it by accident. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}
