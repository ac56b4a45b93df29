import { durationMs } from "../../../core/config/zod-fields.js";
import type { Monitor, Settings } from "../../../spec/model/monitor.js";
import { parsePromql } from "../../../core/promql/parse-promql.js";
import { MONITOR_LABEL } from "../../../spec/model/naming.js";
import { aggregateBy, duration, numberLiteral } from "../../../core/promql/promql-text.js";
import { formatSeries, planSignalSource } from "../../plan/signal-source.js";
import { SeriesValues } from "../../testgen/series-values.js";
import { labelsSatisfying } from "../../testgen/synthetic-labels.js";
import type { Labels, SeriesInput, TestScenario } from "../../testgen/scenario.js";
import { firingAt, firstEvaluationAtOrAfter } from "../../testgen/timing.js";
import { escapeTemplateText } from "../../template/alert-template.js";
import { groupText, quantityText, signalText, titleOf, valueText } from "../annotation-text.js";
import type { DetectorDefinition, DetectorProblem } from "../detector.js";
import type { ForecastParams } from "../../../spec/schema/detectors/forecast.js";

type ForecastMonitor = Monitor<ForecastParams>;

interface Limit {
  readonly op: ">" | "<";
  readonly value: number | string;
  readonly key: "above" | "below";
}

function limitOf(monitor: ForecastMonitor): Limit {
  const { above, below } = monitor.detector;
  return above !== undefined
    ? { op: ">", value: above, key: "above" }
    : { op: "<", value: below ?? 0, key: "below" };
}

/** A limit series joins the forecast per `by` group: the lowest limit above, the highest below. */
function limitExpr(monitor: ForecastMonitor, limit: Limit): string {
  if (typeof limit.value === "number") return numberLiteral(limit.value);
  const by = monitor.by ?? [];
  return `on(${by.join(", ")}) ${aggregateBy(limit.op === ">" ? "min" : "max", by, limit.value)}`;
}

function sampleMs(settings: Settings, recorded: boolean): number {
  return recorded ? settings.evaluationIntervalMs : settings.scrapeIntervalMs;
}

export const forecastDetector: DetectorDefinition<ForecastParams> = {
  type: "forecast",
  signalShape: "range",
  defaultForMs: () => 10 * 60_000,

  check(monitor): DetectorProblem[] {
    const { above, below } = monitor.detector;
    if ((above === undefined) === (below === undefined))
      return [
        {
          code: "invalid-value",
          message: "set exactly one of `above` or `below`",
          path: ["detector"],
        },
      ];
    const limit = limitOf(monitor);
    if (typeof limit.value === "number") return [];
    const path = ["detector", limit.key];
    const parsed = parsePromql(limit.value);
    if (parsed.problems[0])
      return [
        {
          code: "invalid-promql",
          message: `detector.${limit.key}: ${parsed.problems[0].message}`,
          path,
        },
      ];
    if (!parsed.selector)
      return [
        {
          code: "signal-not-selector",
          message: `detector.${limit.key} must be a number or a plain selector (such as aiwatch_gpu_memory_total_bytes)`,
          path,
        },
      ];
    if (!monitor.by || monitor.by.length === 0)
      return [
        {
          code: "missing-key",
          message: `a limit series is matched to the forecast per group: set \`by\` (e.g. [instance, gpu])`,
          path,
        },
      ];
    return [];
  },

  planRules(monitor, settings) {
    const source = planSignalSource(monitor, "range");
    const params = monitor.detector;
    const windowMs = durationMs(params.window);
    const minSamples = Math.max(
      2,
      Math.ceil((params.min_coverage * windowMs) / sampleMs(settings, source.recorded)),
    );
    const range = `${source.ref}[${duration(windowMs)}]`;
    const limit = limitOf(monitor);
    const forecast = `predict_linear(${range}, ${durationMs(params.horizon) / 1000})`;
    const gate = `count_over_time(${range}) >= ${minSamples}`;
    const alertExpr =
      typeof limit.value === "number"
        ? `${forecast} ${limit.op} ${limitExpr(monitor, limit)} and ${gate}`
        : `${forecast} ${limit.op} ${limitExpr(monitor, limit)} and ignoring(${MONITOR_LABEL}) ${gate}`;
    return { alertExpr, recordings: source.recording ? [source.recording] : [] };
  },

  planTests(monitor, settings): TestScenario[] {
    const source = planSignalSource(monitor, "range");
    const params = monitor.detector;
    const ei = settings.evaluationIntervalMs;
    const si = settings.scrapeIntervalMs;
    const windowMs = durationMs(params.window);
    const horizonS = durationMs(params.horizon) / 1000;
    const limit = limitOf(monitor);
    const limitValue = typeof limit.value === "number" ? limit.value : 1000;
    const dir = limit.op === ">" ? 1 : -1;
    const gap = Math.max(Math.abs(limitValue) / 2, 100);
    const base = limitValue - dir * gap;
    // Slope so the forecast crosses the limit as soon as the window is on the ramp.
    const slopePerS = (dir * 1.5 * gap) / (windowMs / 1000 + horizonS);
    const [group = {}] = source.groups(1);
    const startMs = windowMs + 5 * ei;
    const endMs = startMs + 2 * windowMs + monitor.forMs + 10 * ei;
    const values = new SeriesValues(si).holdUntil(base, startMs);
    const rampStart = values.atMs;
    values.rampUntil(base, slopePerS * (si / 1000), endMs);
    const active = firstEvaluationAtOrAfter(rampStart + windowMs + si, ei);
    const firing = firingAt(active, monitor.forMs, ei);
    const forecastAt = base + slopePerS * ((firing - rampStart) / 1000 + horizonS);
    const inputs: SeriesInput[] = [
      { series: source.inputSeries(group), values: values.toString() },
    ];
    let labels: Labels = source.outputLabels(group);
    if (typeof limit.value === "string") {
      const selector = parsePromql(limit.value).selector;
      const fixed = selector ? labelsSatisfying(selector.matchers) : undefined;
      const by = monitor.by ?? [];
      labels = Object.fromEntries(by.map((l) => [l, group[l] ?? ""]));
      inputs.push({
        series: formatSeries(selector?.metricName ?? "", {
          ...(fixed?.ok ? fixed.labels : {}),
          ...labels,
        }),
        values: new SeriesValues(si).holdUntil(limitValue, endMs).toString(),
      });
    }
    return [
      {
        title: `fires when the ${params.window} trend reaches ${typeof limit.value === "number" ? numberLiteral(limitValue) : "the limit series"} within ${params.horizon}`,
        intervalMs: si,
        inputs,
        checks: [
          { atMs: rampStart - ei, alerts: [] },
          { atMs: firing, alerts: [{ labels, value: forecastAt }] },
        ],
      },
      {
        title: "stays quiet on a flat signal below the limit",
        intervalMs: si,
        inputs: [
          {
            series: source.inputSeries(group),
            values: new SeriesValues(si).holdUntil(base, endMs).toString(),
          },
          ...inputs.slice(1),
        ],
        checks: [{ atMs: firing, alerts: [] }],
      },
    ];
  },

  defaultAnnotations(monitor) {
    const params = monitor.detector;
    const limit = limitOf(monitor);
    const target =
      typeof limit.value === "number"
        ? quantityText(monitor, limit.value, numberLiteral(limit.value))
        : "its limit";
    return {
      summary: `${titleOf(monitor)}: predicted to reach ${valueText(monitor)} within ${params.horizon}, ${limit.op === ">" ? "above" : "below"} ${target}${groupText(monitor)}`,
      description: `Extrapolating the last ${params.window} of ${signalText(monitor)}, it reaches ${valueText(monitor)} in ${params.horizon}, ${limit.op === ">" ? "above" : "below"} ${typeof limit.value === "number" ? target : "`" + escapeTemplateText(limit.value) + "`"}. Layer: ${monitor.layer}.`,
    };
  },

  view(monitor, _settings, select) {
    const params = monitor.detector;
    const limit = limitOf(monitor);
    const forecast = {
      expr: `predict_linear(${select.source()}[${duration(durationMs(params.window))}], ${durationMs(params.horizon) / 1000})`,
      legend: `forecast ${params.horizon} ahead`,
    };
    if (typeof limit.value === "number") return { lines: [forecast], threshold: limit.value };
    const by = monitor.by ?? [];
    return {
      lines: [
        forecast,
        {
          expr: aggregateBy(limit.op === ">" ? "min" : "max", by, select.selector(limit.value)),
          legend: "limit",
        },
      ],
    };
  },
};
