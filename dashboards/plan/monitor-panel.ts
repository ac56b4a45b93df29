import { durationMs } from "../../core/config/zod-fields.js";
import { formatDuration } from "../../core/duration.js";
import type { Monitor, Settings } from "../../rulegen/model/monitor.js";
import { zscoreLayout } from "../../rulegen/detectors/zscore/layout.js";
import type { ZscoreMonitor } from "../../rulegen/detectors/zscore/layout.js";
import { zscoreSeriesNames } from "../../rulegen/detectors/zscore/rules.js";
import { MONITOR_LABEL } from "../../rulegen/plan/naming.js";
import {
  aggregateBy,
  formatMatcher,
  numberLiteral,
  quote,
} from "../../rulegen/plan/promql-text.js";
import { planSignalSource } from "../../rulegen/plan/signal-source.js";
import type { Domain, PanelPlan, QueryPlan } from "./dashboard-plan.js";
import { variableMatchers, withMatchers } from "./variables.js";

/**
 * One panel per monitor: its signal as the alert sees it (aggregated per `by`), and the
 * detector's band or threshold drawn from the same recorded series the alert reads, so
 * what the dashboard shows is what the alert compares.
 */
export function monitorPanel(monitor: Monitor, settings: Settings, domain: Domain): PanelPlan {
  const matchers = variableMatchers(domain, monitor.by ?? []);
  const legend =
    monitor.by && monitor.by.length > 0 ? monitor.by.map((l) => `{{${l}}}`).join(" ") : undefined;
  const signal: QueryPlan = { expr: signalQuery(monitor, matchers), ...(legend ? { legend } : {}) };
  const base = {
    title: `${monitor.alertName} (${monitor.detector.type})`,
    description: describe(monitor),
    kind: "timeseries" as const,
  };
  const detector = monitor.detector;
  switch (detector.type) {
    case "threshold":
      return { ...base, queries: [signal], threshold: detector.above ?? detector.below ?? 0 };
    case "zscore":
      return {
        ...base,
        queries: [signal, ...zscoreBand(monitor as ZscoreMonitor, settings, matchers, legend)],
      };
    case "increase": {
      const selector = rawSelector(monitor, matchers);
      const window = formatDuration(durationMs(detector.window));
      const inner =
        detector.mode === "counter"
          ? `increase(${selector}[${window}])`
          : `changes(${selector}[${window}])`;
      const expr = monitor.by ? aggregateBy("sum", monitor.by, inner) : inner;
      return {
        ...base,
        queries: [{ expr, ...(legend ? { legend } : {}) }],
        threshold: detector.threshold,
      };
    }
    default:
      return { ...base, queries: [signal] };
  }
}

function signalQuery(monitor: Monitor, matchers: readonly string[]): string {
  if (monitor.signal.selector) {
    const selector = rawSelector(monitor, matchers);
    return monitor.by ? aggregateBy(monitor.aggregation, monitor.by, selector) : selector;
  }
  // Expressions are recorded by the generated rules: read the recorded series.
  const recording = planSignalSource(monitor, "inline").recording;
  const record = recording?.record ?? monitor.signal.expr;
  return withMatchers(`${record}{${MONITOR_LABEL}=${quote(monitor.name)}}`, matchers);
}

function rawSelector(monitor: Monitor, matchers: readonly string[]): string {
  const selector = monitor.signal.selector;
  if (!selector) return monitor.signal.expr;
  const own = selector.matchers.map(formatMatcher);
  const metric = selector.metricName ?? "";
  return withMatchers(own.length > 0 ? `${metric}{${own.join(", ")}}` : metric, matchers);
}

function zscoreBand(
  monitor: ZscoreMonitor,
  settings: Settings,
  matchers: readonly string[],
  legend: string | undefined,
): QueryPlan[] {
  const names = zscoreSeriesNames(monitor, settings);
  const readback = formatDuration(zscoreLayout(monitor, settings).readbackMs);
  const read = (name: string): string =>
    `last_over_time(${withMatchers(`${name}{${MONITOR_LABEL}=${quote(monitor.name)}}`, matchers)}[${readback}])`;
  const k = numberLiteral(monitor.detector.threshold);
  const suffix = legend ? ` ${legend}` : "";
  const bands: QueryPlan[] = [{ expr: read(names.mean), legend: `baseline mean${suffix}` }];
  if (monitor.detector.direction !== "down")
    bands.push({
      expr: `${read(names.mean)} + ${k} * ${read(names.stddev)}`,
      legend: `upper band${suffix}`,
    });
  if (monitor.detector.direction !== "up")
    bands.push({
      expr: `${read(names.mean)} - ${k} * ${read(names.stddev)}`,
      legend: `lower band${suffix}`,
    });
  return bands;
}

function describe(monitor: Monitor): string {
  const params = Object.entries(monitor.detector)
    .filter(([key]) => key !== "type")
    .map(([key, value]) => `${key} ${String(value)}`)
    .join(", ");
  return `Monitor ${monitor.name} (${monitor.layer} layer): ${monitor.detector.type}${params ? ` with ${params}` : ""}. Alert ${monitor.alertName}, severity ${monitor.severity}. Runbook: ${monitor.runbookUrl}`;
}
