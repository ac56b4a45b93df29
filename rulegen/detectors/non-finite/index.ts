import type { Monitor } from "../../../spec/model/monitor.js";
import { aggregateBy } from "../../../core/promql/promql-text.js";
import { planSignalSource } from "../../plan/signal-source.js";
import { SeriesValues } from "../../testgen/series-values.js";
import { firingAt, firstEvaluationAtOrAfter } from "../../testgen/timing.js";
import type { ExpectedAlert, SeriesInput } from "../../testgen/scenario.js";
import { groupText, signalText, titleOf } from "../annotation-text.js";
import type { DetectorDefinition } from "../detector.js";
import type { NonFiniteParams } from "../../../spec/schema/detectors/non-finite.js";
import type { Target } from "../../../spec/model/target.js";

/**
 * NaN is the one value not equal to itself, and ±Inf compare equal to themselves; with
 * `by`, `sum` keeps the group non-finite (NaN + x is NaN, Inf + x is Inf), where `max`
 * would skip NaN.
 */
function condition(ref: string, target: Target): string {
  // MetricsQL drops NaN samples: on vmalert only the infinities can be seen (a warning
  // says so; see targets/target-warnings.ts).
  if (target === "vmalert") return `(${ref} == +Inf) or (${ref} == -Inf)`;
  return `(${ref} != ${ref}) or (${ref} == +Inf) or (${ref} == -Inf)`;
}

export const nonFiniteDetector: DetectorDefinition<NonFiniteParams> = {
  type: "nonFinite",
  signalShape: "raw",
  defaultForMs: () => 0,
  check: () => [],

  planRules(monitor: Monitor<NonFiniteParams>, settings) {
    const source = planSignalSource(monitor, "raw");
    const filtered = condition(source.ref, settings.target);
    return {
      alertExpr: monitor.by ? `${aggregateBy("sum", monitor.by, filtered)}` : filtered,
      recordings: source.recording ? [source.recording] : [],
    };
  },

  planTests(monitor, settings) {
    const source = planSignalSource(monitor, "raw");
    const ei = settings.evaluationIntervalMs;
    const specials = [NaN, Infinity, -Infinity];
    const groups = source.groups(specials.length);
    const startMs = 10 * ei;
    const endMs = startMs + monitor.forMs + 5 * ei;
    const inputs: SeriesInput[] = [];
    const alerts: ExpectedAlert[] = [];
    groups.forEach((group, i) => {
      const special = specials[i] ?? NaN;
      const values = new SeriesValues(settings.scrapeIntervalMs)
        .holdUntil(1, startMs)
        .holdUntil(special, endMs);
      inputs.push({ series: source.inputSeries(group), values: values.toString() });
      const labels = source.outputLabels(group);
      alerts.push({
        labels: monitor.by
          ? Object.fromEntries(monitor.by.map((l) => [l, labels[l] ?? ""]))
          : labels,
        value: special,
      });
    });
    const active = firstEvaluationAtOrAfter(startMs, ei);
    return [
      {
        title: "fires when the signal becomes NaN or infinite",
        intervalMs: settings.scrapeIntervalMs,
        inputs,
        checks: [
          { atMs: active - ei, alerts: [] },
          { atMs: firingAt(active, monitor.forMs, ei), alerts },
        ],
      },
    ];
  },

  defaultAnnotations(monitor) {
    return {
      summary: `${titleOf(monitor)}: the signal is {{ $value }}${groupText(monitor)}`,
      description: `The signal ${signalText(monitor)} is not a finite number ({{ $value }}); a diverged loss or a broken metric. Layer: ${monitor.layer}.`,
    };
  },
};
