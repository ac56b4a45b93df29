import { stringify } from "yaml";
import { formatDuration } from "../../core/duration.js";
import type { ProcessResult } from "../../core/run-process.js";
import { detectorFor } from "../detectors/registry.js";
import type { Monitor, SpecModel } from "../../spec/model/monitor.js";
import { numberLiteral } from "../../core/promql/promql-text.js";
import { planSignalSource } from "../plan/signal-source.js";
import { YAML_OPTIONS } from "../render/render-rule-file.js";
import { intervalsFromObservations } from "./firing-intervals.js";
import type { FiringInterval } from "./firing-intervals.js";
import { parseFailedExpressionTests } from "./promtool-output.js";
import { toGrid } from "./series-file.js";
import type { Sample } from "./series-file.js";

/** Why a monitor cannot be fed from one series of values, or undefined when it can. */
export function seriesFileLimitation(monitor: Monitor): string | undefined {
  const shape = detectorFor(monitor.detector.type).signalShape;
  if (shape === undefined) return `the ${monitor.detector.type} detector reads two counters`;
  const detector = monitor.detector;
  if (detector.type === "stall" && detector.running !== undefined)
    return "its `running` series is not in the file";
  if (
    detector.type === "forecast" &&
    (typeof detector.above === "string" || typeof detector.below === "string")
  )
    return "its limit series is not in the file";
  return undefined;
}

export interface PromtoolBacktestPlan {
  /** The promtool unit-test file that replays the series and lists what fires. */
  readonly testFile: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly evaluationTimes: readonly number[];
  /** The grid the samples were replayed on, and what it moved or dropped. */
  readonly grid: {
    readonly intervalMs: number;
    readonly moved: number;
    readonly maxShiftMs: number;
    readonly dropped: number;
  };
}

/**
 * Prometheus's own rule engine, through `promtool test rules`: the series becomes the
 * input of each monitor's signal (as generated tests feed it), and a promql test at every
 * evaluation expects no firing alert, so promtool's failures list exactly what fired.
 * promtool evaluates every group at the evaluation interval (slower groups included).
 */
export function planPromtoolBacktest(
  model: SpecModel,
  monitors: readonly Monitor[],
  samples: readonly Sample[],
  ruleFileName: string,
): PromtoolBacktestPlan {
  const grid = toGrid(samples);
  const ei = model.settings.evaluationIntervalMs;
  const values = gridValues(grid.values);
  const durationMs = (grid.values.length - 1) * grid.intervalMs;
  const evaluationTimes: number[] = [];
  for (let t = 0; t <= durationMs; t += ei) evaluationTimes.push(t);
  // One test group per monitor: each has its own storage, so a monitor only sees its feed.
  const tests = monitors.map((monitor) => {
    const shape = detectorFor(monitor.detector.type).signalShape ?? "raw";
    const source = planSignalSource(monitor, shape);
    const [group = {}] = source.groups(1);
    return {
      name: monitor.name,
      interval: formatDuration(grid.intervalMs),
      input_series: [{ series: source.inputSeries(group), values }],
      promql_expr_test: evaluationTimes.map((t) => ({
        expr: `ALERTS{alertstate="firing", monitor=${JSON.stringify(monitor.name)}}`,
        eval_time: formatDuration(t),
        exp_samples: [],
      })),
    };
  });
  const document = {
    rule_files: [ruleFileName],
    evaluation_interval: formatDuration(ei),
    tests,
  };
  return {
    testFile: stringify(document, YAML_OPTIONS),
    startMs: grid.startMs,
    endMs: grid.startMs + durationMs,
    evaluationTimes,
    grid: {
      intervalMs: grid.intervalMs,
      moved: grid.moved,
      maxShiftMs: grid.maxShiftMs,
      dropped: grid.dropped,
    },
  };
}

/** promtool's notation: values, with runs of gaps as `_xN`. */
export function gridValues(values: readonly (number | undefined)[]): string {
  const parts: string[] = [];
  let gaps = 0;
  const flush = (): void => {
    if (gaps === 1) parts.push("_");
    else if (gaps > 1) parts.push(`_x${gaps}`);
    gaps = 0;
  };
  for (const v of values) {
    if (v === undefined) gaps++;
    else {
      flush();
      parts.push(numberLiteral(v));
    }
  }
  flush();
  return parts.join(" ");
}

/** promtool's output → firing intervals in the series' own time. */
export function readPromtoolBacktest(
  plan: PromtoolBacktestPlan,
  result: ProcessResult,
): { intervals: FiringInterval[] } | { error: string } {
  const output = result.stdout + result.stderr;
  const firing = parseFailedExpressionTests(output);
  if (result.exitCode !== 0 && firing.size === 0)
    return { error: `promtool failed: ${output.trim()}` };
  const last = plan.evaluationTimes[plan.evaluationTimes.length - 1] ?? 0;
  const intervals = intervalsFromObservations(plan.evaluationTimes, firing, last).map((i) => ({
    ...i,
    startMs: i.startMs + plan.startMs,
    endMs: i.endMs + plan.startMs,
  }));
  return { intervals };
}
