import { parsePromql } from "../../core/promql/parse-promql.js";
import { monitorSeries } from "../../rulegen/monitor-view.js";
import type { SpecModel } from "../../spec/model/monitor.js";
import { MONITOR_LABEL } from "../../spec/model/naming.js";
import { selectorText } from "../evidence/promql-text.js";
import type { QueryMatcher } from "../evidence/promql-text.js";

/** A detector's band, baseline or threshold for one alert group, as queries to read. */
export interface BandPlan {
  readonly lines: readonly { readonly expr: string; readonly legend: string }[];
  readonly threshold?: number;
}

/** Per monitor: its band for a group (the group's label matchers), when its detector has one. */
export type MonitorBands = ReadonlyMap<
  string,
  (group: readonly QueryMatcher[]) => BandPlan | undefined
>;

/**
 * The band each monitor's alert compares against, from rulegen's own detector views (the
 * lines the dashboards draw), narrowed to one group: what the incident page draws is what
 * the alert compared. A line whose selector cannot be narrowed (not one plain selector) is
 * left out rather than read for every group.
 */
export function monitorBands(models: readonly SpecModel[]): MonitorBands {
  const bands = new Map<string, (group: readonly QueryMatcher[]) => BandPlan | undefined>();
  for (const model of models)
    for (const monitor of model.monitors) {
      const series = monitorSeries(monitor, model.settings);
      bands.set(monitor.name, (group) => {
        let narrowable = true;
        const narrowed = (text: string): string => {
          const selector = parsePromql(text).selector;
          if (!selector) {
            narrowable = false;
            return text;
          }
          return selectorText({ metric: selector.metricName, matchers: selector.matchers }, group);
        };
        const view = series.view({
          own: (name) =>
            selectorText(
              { metric: name, matchers: [{ name: MONITOR_LABEL, op: "=", value: monitor.name }] },
              group,
            ),
          source: () => {
            const source = series.signal(series.signalShape ?? "range");
            const raw = monitor.signal.selector;
            if (source.recorded || !raw) return narrowed(source.ref);
            return selectorText({ metric: raw.metricName, matchers: raw.matchers }, group);
          },
          selector: narrowed,
        });
        if (!view) return undefined;
        const threshold = view.threshold !== undefined ? { threshold: view.threshold } : {};
        if (narrowable) return { lines: view.lines, ...threshold };
        return view.threshold !== undefined ? { lines: [], ...threshold } : undefined;
      });
    }
  return bands;
}
