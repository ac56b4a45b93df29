import { monitorSeries } from "../../rulegen/monitor-view.js";
import type { MonitorSeries, SeriesSelect } from "../../rulegen/monitor-view.js";
import type { Monitor, Settings } from "../../spec/model/monitor.js";
import { MONITOR_LABEL } from "../../spec/model/naming.js";
import { UNIT_INFO } from "../../spec/model/unit.js";
import type { Unit } from "../../spec/model/unit.js";
import { aggregateBy, formatMatcher, quote } from "../../core/promql/promql-text.js";
import type { DataPanelPlan, QueryPlan } from "./dashboard-plan.js";
import { COUNT, signalUnit } from "./units.js";
import { variableMatchers, withMatchers } from "./variables.js";
import type { DomainVariable } from "./variables.js";

/**
 * One panel per monitor: its signal as the alert sees it (aggregated per `by`), and what
 * the detector's view draws beside it (its band, baseline, forecast or threshold), read
 * from the same recorded series the alert compares against, in the signal's unit; with
 * links to its alert rule in Grafana's alerting view and to its runbook.
 */
export function monitorPanel(
  monitor: Monitor,
  settings: Settings,
  variables: readonly DomainVariable[],
): DataPanelPlan {
  const matchers = variableMatchers(variables, monitor.by ?? []);
  const groupLegend =
    monitor.by && monitor.by.length > 0 ? monitor.by.map((l) => `{{${l}}}`).join(" ") : undefined;
  const series = monitorSeries(monitor, settings);
  const signal: QueryPlan = {
    expr: signalQuery(monitor, series, matchers),
    ...(groupLegend ? { legend: groupLegend } : {}),
  };
  const view = series.view(seriesSelect(monitor, series, matchers));
  const lines = (view?.lines ?? []).map((line) => ({
    expr: line.expr,
    legend: groupLegend ? `${line.legend} ${groupLegend}` : line.legend,
  }));
  const linesOnly = lines.length > 0 ? view?.linesOnly : undefined;
  return {
    title: `${monitor.alertName} (${monitor.detector.type})`,
    description: describe(monitor),
    kind: "timeseries",
    unit: linesOnly ? linesUnit(monitor, linesOnly.unit) : signalUnit(monitor),
    queries: linesOnly ? lines : [signal, ...lines],
    links: [
      {
        title: `Alert rule ${monitor.alertName}`,
        url: `/alerting/list?search=${encodeURIComponent(`rule:${monitor.alertName}`)}`,
      },
      { title: "Runbook", url: monitor.runbookUrl },
    ],
    ...(view?.threshold !== undefined ? { threshold: view.threshold } : {}),
  };
}

function linesUnit(monitor: Monitor, unit: "signal" | "none" | Unit): string {
  if (unit === "signal") return signalUnit(monitor);
  return unit === "none" ? COUNT : UNIT_INFO[unit].grafana;
}

function seriesSelect(
  monitor: Monitor,
  series: MonitorSeries,
  matchers: readonly string[],
): SeriesSelect {
  return {
    own: (name) => withMatchers(`${name}{${MONITOR_LABEL}=${quote(monitor.name)}}`, matchers),
    source: () => {
      const source = series.signal(series.signalShape ?? "range");
      return source.recorded ? withMatchers(source.ref, matchers) : rawSelector(monitor, matchers);
    },
    selector: (text) => withMatchers(text, matchers),
  };
}

function signalQuery(monitor: Monitor, series: MonitorSeries, matchers: readonly string[]): string {
  if (monitor.signal.selector) {
    const selector = rawSelector(monitor, matchers);
    return monitor.by ? aggregateBy(monitor.aggregation, monitor.by, selector) : selector;
  }
  // Expressions are recorded by the generated rules: read the recorded series.
  const record = series.signalRecord ?? monitor.signal.expr;
  return withMatchers(`${record}{${MONITOR_LABEL}=${quote(monitor.name)}}`, matchers);
}

function rawSelector(monitor: Monitor, matchers: readonly string[]): string {
  const selector = monitor.signal.selector;
  if (!selector) return monitor.signal.expr;
  const own = selector.matchers.map(formatMatcher);
  const metric = selector.metricName ?? "";
  return withMatchers(own.length > 0 ? `${metric}{${own.join(", ")}}` : metric, matchers);
}

function describe(monitor: Monitor): string {
  const params = Object.entries(monitor.detector)
    .filter(([key]) => key !== "type")
    .map(
      ([key, value]) =>
        `${key} ${typeof value === "object" ? JSON.stringify(value) : String(value)}`,
    )
    .join(", ");
  return `Monitor ${monitor.name} (${monitor.layer} layer): ${monitor.detector.type}${params ? ` with ${params}` : ""}. Alert ${monitor.alertName}, severity ${monitor.severity}. Runbook: ${monitor.runbookUrl}`;
}
