import { ExpositionRegistry } from "../../../exporters/exposition/exposition-registry.js";
import { MetricClassifier } from "../../../exporters/training/model/metric-mapping.js";
import { createTrainingFamilies } from "../../../exporters/training/model/training-families.js";
import { TrainingRuns } from "../../../exporters/training/model/training-runs.js";
import type { TrainingRunsOptions } from "../../../exporters/training/model/training-runs.js";

/** A TrainingRuns over a fresh exposition registry and a clock the test moves. */
export function trainingHarness(
  options: Partial<TrainingRunsOptions> = {},
  startMs = 1_700_000_000_000,
) {
  const clock = { ms: startMs };
  const refused: string[] = [];
  const registry = new ExpositionRegistry(
    () => 100_000,
    () => undefined,
  );
  const runs = new TrainingRuns(
    createTrainingFamilies(registry.scope("training")),
    new MetricClassifier(),
    {
      finishedRetentionMs: 3_600_000,
      idleRetentionMs: 86_400_000,
      maxRuns: 100,
      maxMetricsPerRun: 100,
      otherMetrics: true,
      ...options,
    },
    () => clock.ms,
    (reason, count) => refused.push(`${reason}:${count}`),
  );
  return {
    runs,
    clock,
    refused,
    text: () => registry.renderText(),
    /** The value of one sample line, e.g. `aiwatch_training_loss{run_id="r",job_name="j",phase="train"}`. */
    sample: (selector: string): number | undefined => {
      const line = registry
        .renderText()
        .split("\n")
        .find((l) => l.startsWith(`${selector} `));
      return line === undefined ? undefined : Number(line.slice(selector.length + 1));
    },
  };
}
