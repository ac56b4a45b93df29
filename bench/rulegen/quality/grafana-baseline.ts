/**
 * A baseline for comparison: the "adaptive" and "robust" strategies of Grafana's
 * promql-anomaly-detection framework (https://github.com/grafana/promql-anomaly-detection,
 * Apache-2.0; described in Grafana Labs' blog post "How to use Prometheus to efficiently
 * detect anomalies at scale", 2024), written here from their published formulas with
 * aiwatch's own rule names and structure. Nothing is copied from that repository.
 *
 * Both strategies read `anomaly_name`-tagged series, drop zeros (the framework selects
 * `x > 0`), and fire when a level leaves the union of a short-term band, a margin band of
 * ±margin x the centre, and a band from the same time one day and one week earlier, for 5m.
 *
 * - adaptive: centre = 1h mean; short-term half-width = 2 x the 26h mean of the 1h
 *   standard deviation, counted only while its coefficient of variation exceeds 0.5;
 *   margin 0.5; long-term: 1h mean ± 2 stddev of the hour centred a day (a week) ago,
 *   recomputed every 5m; level = the value itself.
 * - robust: centre = 1d median; half-width = 2 x the 1d median of absolute deviations from
 *   it; margin 0.5; seasonal: median ± 2 MAD of the hour ending 23h45m (167h45m) ago,
 *   every 5m; level = the 1h median.
 */
export interface BaselineConstants {
  readonly stddevMultiplier: number;
  readonly marginMultiplier: number;
  readonly covarThreshold: number;
}

export const GRAFANA_DEFAULTS: BaselineConstants = {
  stddevMultiplier: 2,
  marginMultiplier: 0.5,
  covarThreshold: 0.5,
};

export const BASELINE_ALERTS = {
  adaptive: "BaselineAdaptiveAnomaly",
  robust: "BaselineRobustAnomaly",
};

const lines = (...parts: string[]): string => parts.join("\n") + "\n";

/** Grafana's adaptive strategy on every series of `metric` with an `anomaly_name` label. */
export function adaptiveBaselineRules(
  metric: string,
  c: BaselineConstants = GRAFANA_DEFAULTS,
): string {
  const x = "baseline_adaptive:input";
  const k = c.stddevMultiplier;
  const longTerm = (sign: "+" | "-", offset: string) =>
    `avg_over_time(${x}[1h] offset ${offset}) ${sign} ${k} * stddev_over_time(${x}[1h] offset ${offset})`;
  return lines(
    "groups:",
    "  - name: baseline-adaptive-short-term",
    "    interval: 1m",
    "    rules:",
    `      - record: ${x}`,
    `        expr: '${metric}{anomaly_name!=""} > 0'`,
    "      - record: baseline_adaptive:avg_1h",
    `        expr: avg_over_time(${x}[1h])`,
    "      - record: baseline_adaptive:stddev_1h:high_variability",
    `        expr: stddev_over_time(${x}[1h]) > ${c.covarThreshold} * baseline_adaptive:avg_1h`,
    "      - record: baseline_adaptive:stddev_smoothed",
    "        expr: avg_over_time(baseline_adaptive:stddev_1h:high_variability[26h])",
    "      - record: baseline_adaptive:upper",
    "        expr: >-",
    `          max without (part) (label_replace(last_over_time(baseline_adaptive:avg_1h[2m]) + ${k} * last_over_time(baseline_adaptive:stddev_smoothed[2m]), "part", "short", "", "")`,
    `          or label_replace(${1 + c.marginMultiplier} * last_over_time(baseline_adaptive:avg_1h[2m]), "part", "margin", "", "")`,
    `          or label_replace(last_over_time(baseline_adaptive:upper_long[10m]), "part", "long", "", ""))`,
    "      - record: baseline_adaptive:lower",
    "        expr: >-",
    `          clamp_min(min without (part) (label_replace(last_over_time(baseline_adaptive:avg_1h[2m]) - ${k} * last_over_time(baseline_adaptive:stddev_smoothed[2m]), "part", "short", "", "")`,
    `          or label_replace(${1 - c.marginMultiplier} * last_over_time(baseline_adaptive:avg_1h[2m]), "part", "margin", "", "")`,
    `          or label_replace(last_over_time(baseline_adaptive:lower_long[10m]), "part", "long", "", "")), 0)`,
    "  - name: baseline-adaptive-long-term",
    "    interval: 5m",
    "    rules:",
    "      - record: baseline_adaptive:upper_long",
    `        expr: max without (season) (label_replace(${longTerm("+", "167h30m")}, "season", "1w", "", "") or label_replace(${longTerm("+", "23h30m")}, "season", "1d", "", ""))`,
    "      - record: baseline_adaptive:lower_long",
    `        expr: min without (season) (label_replace(${longTerm("-", "167h30m")}, "season", "1w", "", "") or label_replace(${longTerm("-", "23h30m")}, "season", "1d", "", ""))`,
    "  - name: baseline-adaptive-alerts",
    "    interval: 1m",
    "    rules:",
    `      - alert: ${BASELINE_ALERTS.adaptive}`,
    `        expr: last_over_time(${x}[2m]) < last_over_time(baseline_adaptive:lower[2m]) or last_over_time(${x}[2m]) > last_over_time(baseline_adaptive:upper[2m])`,
    "        for: 5m",
  );
}

/** Grafana's robust strategy on every series of `metric` with an `anomaly_name` label. */
export function robustBaselineRules(
  metric: string,
  c: BaselineConstants = GRAFANA_DEFAULTS,
): string {
  const x = "baseline_robust:input";
  const k = c.stddevMultiplier;
  const seasonal = (offset: string, name: string) => [
    `      - record: baseline_robust:median_${name}`,
    `        expr: quantile_over_time(0.5, ${x}[1h] offset ${offset})`,
    `      - record: baseline_robust:absdev_${name}`,
    `        expr: abs(${x} offset ${offset} - baseline_robust:median_${name})`,
    `      - record: baseline_robust:mad_${name}`,
    `        expr: quantile_over_time(0.5, baseline_robust:absdev_${name}[1h])`,
  ];
  const band = (sign: "+" | "-", agg: "max" | "min") =>
    `${agg} without (season) (label_replace(baseline_robust:median_1w ${sign} ${k} * baseline_robust:mad_1w, "season", "1w", "", "") or label_replace(baseline_robust:median_1d_ago ${sign} ${k} * baseline_robust:mad_1d_ago, "season", "1d", "", ""))`;
  return lines(
    "groups:",
    "  - name: baseline-robust",
    "    interval: 1m",
    "    rules:",
    `      - record: ${x}`,
    `        expr: '${metric}{anomaly_name!=""} > 0'`,
    "      - record: baseline_robust:median_1d",
    `        expr: quantile_over_time(0.5, ${x}[1d])`,
    "      - record: baseline_robust:absdev_1d",
    `        expr: abs(${x} - baseline_robust:median_1d)`,
    "      - record: baseline_robust:mad_1d",
    "        expr: quantile_over_time(0.5, baseline_robust:absdev_1d[1d])",
    "      - record: baseline_robust:level",
    `        expr: quantile_over_time(0.5, ${x}[1h])`,
    "      - record: baseline_robust:upper",
    "        expr: >-",
    `          max without (part) (label_replace(last_over_time(baseline_robust:median_1d[2m]) + ${k} * last_over_time(baseline_robust:mad_1d[2m]), "part", "short", "", "")`,
    `          or label_replace(${1 + c.marginMultiplier} * last_over_time(baseline_robust:median_1d[2m]), "part", "margin", "", "")`,
    `          or label_replace(last_over_time(baseline_robust:upper_seasonal[10m]), "part", "seasonal", "", ""))`,
    "      - record: baseline_robust:lower",
    "        expr: >-",
    `          clamp_min(min without (part) (label_replace(last_over_time(baseline_robust:median_1d[2m]) - ${k} * last_over_time(baseline_robust:mad_1d[2m]), "part", "short", "", "")`,
    `          or label_replace(${1 - c.marginMultiplier} * last_over_time(baseline_robust:median_1d[2m]), "part", "margin", "", "")`,
    `          or label_replace(last_over_time(baseline_robust:lower_seasonal[10m]), "part", "seasonal", "", "")), 0)`,
    "  - name: baseline-robust-seasonal",
    "    interval: 5m",
    "    rules:",
    ...seasonal("167h45m", "1w"),
    ...seasonal("23h45m", "1d_ago"),
    "      - record: baseline_robust:upper_seasonal",
    `        expr: ${band("+", "max")}`,
    "      - record: baseline_robust:lower_seasonal",
    `        expr: ${band("-", "min")}`,
    "  - name: baseline-robust-alerts",
    "    interval: 1m",
    "    rules:",
    `      - alert: ${BASELINE_ALERTS.robust}`,
    "        expr: last_over_time(baseline_robust:level[2m]) < last_over_time(baseline_robust:lower[2m]) or last_over_time(baseline_robust:level[2m]) > last_over_time(baseline_robust:upper[2m])",
    "        for: 5m",
  );
}
