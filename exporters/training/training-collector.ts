import type { CollectorDefinition } from "../collector.js";
import { durationMs } from "../../core/config/zod-fields.js";
import { trainingRoutes } from "./ingest/training-routes.js";
import { MetricClassifier } from "./model/metric-mapping.js";
import { createTrainingFamilies } from "./model/training-families.js";
import { TrainingRuns } from "./model/training-runs.js";
import { statisticsPolicies } from "./statistics/statistics-config.js";
import { createTailer } from "./tailers/create-tailer.js";
import { PollLoop } from "./tailers/poll-loop.js";
import type { ProblemSink } from "./tailers/tailer.js";
import { trainingConfigSchema } from "./training-config.js";
import type { TrainingConfig } from "./training-config.js";
import type { Diagnostic } from "../../core/diagnostics/diagnostic.js";

/** How often finished and abandoned runs are looked for, at most. */
const MAX_SWEEP_INTERVAL_MS = 10_000;

/**
 * `collectors.training`: training runs' health from the ingest API
 * (`POST /api/v1/training/events`) and from tailers that follow what trainers already
 * write (trainer_state.json, stdout logs, CSV loggers, MLflow's file store, JSON lines).
 */
export const trainingCollector: CollectorDefinition<typeof trainingConfigSchema> = {
  type: "training",
  acceptsData: true,
  configSchema: trainingConfigSchema,
  validate(config, document, path) {
    const diagnostics: Diagnostic[] = [];
    const names = new Map<string, number>();
    config.tailers.forEach((tailer, index) => {
      const name = tailer.name ?? `${tailer.kind}:${tailer.path}`;
      const first = names.get(name);
      if (first !== undefined) {
        const at = [...path, "tailers", index];
        diagnostics.push({
          code: "duplicate-tailer",
          severity: "error",
          message: `tailers[${index}] follows the same ${tailer.kind} as tailers[${first}] (${name}); give one a distinct name or remove it`,
          file: document.file,
          position: document.positionOf(at),
          path: at,
        });
      } else names.set(name, index);
    });
    return diagnostics;
  },
  create(context) {
    const config: TrainingConfig = context.config;
    const finishedRetentionMs = durationMs(config.retention.finished);
    const runs = new TrainingRuns(
      createTrainingFamilies(context.families),
      new MetricClassifier(config.metric_aliases),
      {
        finishedRetentionMs,
        idleRetentionMs: durationMs(config.retention.idle),
        maxRuns: config.max_runs,
        maxMetricsPerRun: config.max_metrics_per_run,
        otherMetrics: config.other_metrics,
        statistics: config.statistics.enabled ? statisticsPolicies(config.statistics) : undefined,
      },
      context.now,
      (reason, count) => context.health.rejected(reason, count),
    );
    // Once per file and reason: a file of bad lines must not flood the log; the counter
    // has every one.
    const warned = new Set<string>();
    const problems: ProblemSink = (problem) => {
      context.health.rejected(problem.reason);
      const key = `${problem.reason}\u0000${problem.path}`;
      if (warned.has(key)) return;
      warned.add(key);
      context.logger.warn("tailed input refused; later ones from this file are only counted", {
        at: problem.line === undefined ? problem.path : `${problem.path}:${problem.line}`,
        reason: problem.reason,
        problem: problem.message,
      });
    };
    const tailers = config.tailers.map((tailerConfig) =>
      createTailer(tailerConfig, {
        finishedRetentionMs,
        now: context.now,
        problems,
        sink: (record, mode, observedAt) => runs.apply(record, tailerConfig.kind, mode, observedAt),
      }),
    );
    const loop = new PollLoop(
      tailers.map(({ tailer, intervalMs }) => ({ source: tailer, intervalMs })),
      context.health,
      context.logger,
      context.now,
    );
    const sweepEveryMs = Math.max(
      100,
      Math.min(
        MAX_SWEEP_INTERVAL_MS,
        finishedRetentionMs / 10,
        durationMs(config.retention.idle) / 10,
      ),
    );
    let sweeper: NodeJS.Timeout | undefined;
    return {
      router: trainingRoutes({
        runs,
        health: context.health,
        maxRecordsPerRequest: config.max_records_per_request,
        now: context.now,
      }),
      async start() {
        if (tailers.length === 0) context.health.succeeded(0);
        await loop.start();
        runs.sweep();
        sweeper = setInterval(() => runs.sweep(), sweepEveryMs);
        sweeper.unref();
      },
      async stop() {
        if (sweeper) clearInterval(sweeper);
        await loop.stop();
      },
    };
  },
};
