import { stat } from "node:fs/promises";
import type { Diagnostic } from "../../../core/diagnostics/diagnostic.js";
import { durationMs } from "../../../core/config/zod-fields.js";
import type { CollectorDefinition } from "../../collector.js";
import { planModel } from "../evaluate/plan-model.js";
import { methodApplies } from "../evaluate/drift-methods.js";
import type { DriftProfile } from "../profile/drift-profile.js";
import { loadProfileFile, loadProfileFileSync } from "../profile/load-profile.js";
import { driftConfigSchema } from "./drift-config.js";
import type { DriftConfig } from "./drift-config.js";
import { createDriftMetrics } from "./drift-metrics.js";
import { ModelMonitor } from "./model-monitor.js";
import { recordsRoute } from "./records-route.js";
import { tailRecords } from "./tail-records.js";
import type { JsonLinesTailer } from "./json-lines-tailer.js";

/** Switches `monitor` to `profile`; returns why it cannot, leaving the old one in use. */
function useProfile(monitor: ModelMonitor, profile: DriftProfile): string | undefined {
  try {
    monitor.useProfile(profile);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * `collectors.drift`: per-feature drift between a reference profile and a sliding window
 * of live records, and data-quality counters. Records arrive by POST /api/v1/data/records
 * or from tailed JSON-lines logs; scores are recomputed every evaluation_interval.
 */
export const driftCollector: CollectorDefinition<typeof driftConfigSchema> = {
  type: "drift",
  configSchema: driftConfigSchema,
  acceptsData: true,
  validate(config, document, path) {
    const diagnostics: Diagnostic[] = [];
    const at = (where: readonly (string | number)[], code: string, message: string): void => {
      const full = [...path, ...where];
      diagnostics.push({
        code,
        severity: "error",
        message,
        file: document.file,
        position: document.positionOf(full),
        path: full,
      });
    };
    const names = new Set<string>();
    config.models.forEach((model, i) => {
      if (names.has(model.name))
        at(["models", i, "name"], "duplicate-model", `model "${model.name}" is configured twice`);
      names.add(model.name);
      if ("profile" in model.reference) {
        const loaded = loadProfileFileSync(model.reference.profile);
        if (!loaded.ok) {
          for (const d of loaded.diagnostics)
            at(["models", i, "reference", "profile"], d.code, `${d.file}: ${d.message}`);
          return;
        }
        for (const problem of planModel(loaded.profile, model).problems)
          at(["models", i, ...problem.path], "invalid-value", problem.message);
        return;
      }
      for (const [name, settings] of Object.entries(model.features ?? {})) {
        const type = settings?.type;
        if (!type) continue;
        for (const method of settings.methods ?? [])
          if (!methodApplies(method, type))
            at(
              ["models", i, "features", name, "methods"],
              "invalid-value",
              `method ${method} does not apply to ${type} feature "${name}"`,
            );
      }
    });
    return diagnostics;
  },
  create(context) {
    const config: DriftConfig = context.config;
    const metrics = createDriftMetrics(context.families);
    const monitors = new Map(
      config.models.map((model) => [
        model.name,
        new ModelMonitor(model, metrics, context.logger, (reason) => context.health.failed(reason)),
      ]),
    );
    const tailers: JsonLinesTailer[] = [];
    const profileStamps = new Map<string, string>();
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    let evaluating: Promise<void> = Promise.resolve();

    const profileStamp = async (path: string): Promise<string | undefined> => {
      try {
        const info = await stat(path);
        return `${info.mtimeMs}:${info.size}:${info.ino}`;
      } catch {
        return undefined;
      }
    };

    /**
     * Reloads a profile that changed on disk. One that cannot be read, or that no longer
     * fits the model's config (a configured feature it lacks), is refused: the old one
     * stays, the other models go on, and it is not tried again until the file changes.
     */
    const refreshProfiles = async (initial: boolean): Promise<void> => {
      for (const model of config.models) {
        if (!("profile" in model.reference)) continue;
        const path = model.reference.profile;
        const stamp = await profileStamp(path);
        if (!initial && stamp === profileStamps.get(model.name)) continue;
        profileStamps.set(model.name, stamp ?? "");
        const loaded = await loadProfileFile(path);
        const monitor = monitors.get(model.name);
        const refusal = !loaded.ok
          ? loaded.diagnostics.map((d) => d.message).join("; ")
          : !monitor
            ? "no monitor"
            : useProfile(monitor, loaded.profile);
        if (refusal !== undefined) {
          if (initial) throw new Error(`model ${model.name}: profile ${path}: ${refusal}`);
          context.health.failed("profile_invalid");
          context.logger.error("changed profile refused; the previous one stays", {
            model: model.name,
            profile: path,
            error: refusal,
          });
          continue;
        }
        if (!initial && loaded.ok)
          context.logger.info("profile reloaded", {
            model: model.name,
            version: loaded.profile.version,
          });
      }
    };

    const evaluateAll = async (): Promise<void> => {
      const started = context.now();
      try {
        await refreshProfiles(false);
        for (const monitor of monitors.values()) monitor.evaluate(context.now());
        context.health.succeeded(context.now() - started);
      } catch (error) {
        context.health.failed("evaluation_error", context.now() - started);
        context.logger.error("drift evaluation failed", { error });
      }
    };

    const schedule = (): void => {
      if (stopped) return;
      timer = setTimeout(() => {
        evaluating = evaluateAll().finally(schedule);
      }, durationMs(config.evaluation_interval));
      timer.unref();
    };

    return {
      router: recordsRoute({
        models: () => monitors,
        maxRecordsPerBatch: config.max_records_per_batch,
        health: context.health,
        now: context.now,
      }),
      async start() {
        await refreshProfiles(true);
        for (const model of config.models) {
          const monitor = monitors.get(model.name);
          if (!monitor) continue;
          for (const tail of model.tail) {
            const tailer = tailRecords(tail, monitor, context.health, context.logger, context.now);
            tailers.push(tailer);
            await tailer.start();
          }
        }
        schedule();
      },
      async stop() {
        stopped = true;
        if (timer) clearTimeout(timer);
        timer = undefined;
        await evaluating;
        await Promise.all(tailers.map((t) => t.stop()));
        for (const monitor of monitors.values()) monitor.removeSeries();
      },
    };
  },
};
