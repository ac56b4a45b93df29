import type { Monitor } from "../../spec/model/monitor.js";
import { MONITOR_LABEL } from "../../spec/model/naming.js";
import type { RuleFilePlan } from "../plan/rule-plan.js";
import type { Labels } from "../testgen/scenario.js";
import { alertKey, applyFor } from "./firing-intervals.js";
import type { FiringInterval } from "./firing-intervals.js";
import { inlineRecordings, recordingsOf } from "./inline-recordings.js";

export interface RangeSeries {
  readonly metric: Labels;
  /** [unix seconds, value text], as Prometheus's query_range returns them. */
  readonly values: readonly (readonly [number, string])[];
}

/** A Prometheus-compatible `query_range` (Prometheus, Thanos Query, Mimir, VictoriaMetrics). */
export type QueryRange = (
  query: string,
  startMs: number,
  endMs: number,
  stepMs: number,
) => Promise<readonly RangeSeries[]>;

/**
 * Each alert of each monitor, its recordings inlined, queried over the range at the
 * evaluation interval; `for` and `keep_firing_for` applied to the steps it held at.
 */
export async function apiBacktest(
  plan: RuleFilePlan,
  monitors: readonly Monitor[],
  query: QueryRange,
  range: { startMs: number; endMs: number; stepMs: number },
): Promise<FiringInterval[]> {
  const recordings = recordingsOf(plan);
  const wanted = new Set(monitors.map((m) => m.name));
  const intervals: FiringInterval[] = [];
  for (const group of plan.groups)
    for (const rule of group.rules) {
      if (rule.kind !== "alert" || !wanted.has(rule.labels[MONITOR_LABEL] ?? "")) continue;
      const series = await query(
        inlineRecordings(rule.expr, recordings),
        range.startMs,
        range.endMs,
        range.stepMs,
      );
      const byAlert = new Map<string, { labels: Labels; times: number[] }>();
      for (const s of series) {
        // Rule labels win over the expression's, as in Prometheus.
        const labels: Labels = { ...s.metric, ...rule.labels, alertname: rule.alert };
        const entry = byAlert.get(alertKey(labels)) ?? { labels, times: [] };
        for (const [t] of s.values) entry.times.push(Math.round(t * 1000));
        byAlert.set(alertKey(labels), entry);
      }
      for (const { labels, times } of byAlert.values()) {
        times.sort((a, b) => a - b);
        for (const run of applyFor(times, range.stepMs, rule.forMs, rule.keepFiringForMs ?? 0))
          intervals.push({
            monitor: labels[MONITOR_LABEL] ?? "",
            labels: Object.fromEntries(Object.entries(labels).filter(([k]) => k !== "__name__")),
            startMs: run.startMs,
            endMs: Math.min(run.endMs, range.endMs),
          });
      }
    }
  return intervals.sort((a, b) => a.startMs - b.startMs);
}

type RangeResult = { metric: Labels; values: [number, string][] }[];

/**
 * A query that lands while the TSDB swaps blocks (a replay's out-of-order samples being
 * compacted) can fail with "cannot populate chunk ... not found" although the data is
 * there: the block it looked up was just replaced. Asked again, it answers.
 */
const TRANSIENT_TSDB_ERROR = /cannot populate chunk|block .* not found/;
const QUERY_ATTEMPTS = 5;

async function postQueryRange(
  fetchImpl: typeof fetch,
  url: string,
  headers: Readonly<Record<string, string>>,
  form: string,
): Promise<{ data?: { result: RangeResult } }> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetchImpl(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: form,
    });
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data?: { result: RangeResult };
    };
    if (body.status === "success") return body;
    const error = body.error ?? "no error text";
    if (attempt >= QUERY_ATTEMPTS || !TRANSIENT_TSDB_ERROR.test(error))
      throw new Error(`query_range failed (${response.status}): ${error}`);
    await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
  }
}

/** Prometheus answers at most 11,000 points per series: long ranges go in chunks. */
export function httpQueryRange(
  baseUrl: string,
  fetchImpl: typeof fetch,
  headers: Readonly<Record<string, string>> = {},
): QueryRange {
  const maxPoints = 10_000;
  return async (query, startMs, endMs, stepMs) => {
    const merged = new Map<string, { metric: Labels; values: [number, string][] }>();
    for (let from = startMs; from <= endMs; from += maxPoints * stepMs) {
      const to = Math.min(endMs, from + (maxPoints - 1) * stepMs);
      const params = new URLSearchParams({
        query,
        start: String(from / 1000),
        end: String(to / 1000),
        step: `${stepMs / 1000}s`,
      });
      const body = await postQueryRange(
        fetchImpl,
        `${baseUrl.replace(/\/+$/, "")}/api/v1/query_range`,
        headers,
        params.toString(),
      );
      for (const s of body.data?.result ?? []) {
        const key = alertKey(s.metric);
        const entry = merged.get(key) ?? { metric: s.metric, values: [] };
        entry.values.push(...s.values);
        merged.set(key, entry);
      }
    }
    return [...merged.values()];
  };
}
