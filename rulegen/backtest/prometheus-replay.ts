import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPrometheus } from "../../core/process/prometheus-process.js";
import type { PrometheusInstance } from "../../core/process/prometheus-process.js";
import type { Labels } from "../testgen/scenario.js";
import { httpQueryRange } from "./api-backtest.js";
import type { RangeSeries } from "./api-backtest.js";
import { alertKey, applyFor } from "./firing-intervals.js";
import type { FiringInterval } from "./firing-intervals.js";
import { encodeWriteRequest, snappyLiteralBlock } from "./remote-write.js";
import type { WriteSample, WriteSeries } from "./remote-write.js";
import type { LevelledRecording, RuleLevels } from "./rule-levels.js";

export interface ReplayInput {
  /** Raw series to write, at their own timestamps. */
  readonly series: readonly WriteSeries[];
  readonly levels: Extract<RuleLevels, { ok: true }>;
  readonly startMs: number;
  readonly endMs: number;
  readonly onProgress?: (text: string) => void;
}

/**
 * Replays history through a real Prometheus: the raw samples are written at their own
 * timestamps (remote write, out-of-order ingestion for history), each level of recordings
 * is evaluated over the whole range with query_range at its group's interval and written
 * back (with staleness markers where a series ends, as the rule manager writes them), and
 * each alert's condition is queried at its group's interval, `for` and keep_firing_for
 * applied. Unlike promtool, which evaluates every group at one interval, slower groups run
 * at their own cadence, as in production (at offset 0 rather than a hashed one).
 */
export async function replayThroughPrometheus(
  binary: string,
  input: ReplayInput,
): Promise<FiringInterval[]> {
  const dir = mkdtempSync(join(tmpdir(), "aiwatch-replay-"));
  const days = Math.ceil((input.endMs - input.startMs) / 86_400_000) + 2;
  let prometheus: PrometheusInstance | undefined;
  try {
    prometheus = await startPrometheus({
      binary,
      dir,
      config: [
        "global: { evaluation_interval: 1m }",
        // History is older than anything in the head: accept it as out-of-order samples.
        `storage: { tsdb: { out_of_order_time_window: ${days}d } }`,
        "",
      ].join("\n"),
      extraArgs: [
        "--web.enable-remote-write-receiver",
        // Retention counts back from the newest block: keep the whole replay.
        "--storage.tsdb.retention.time=100y",
        "--query.max-samples=200000000",
      ],
    });
    const url = prometheus.url;
    const progress = input.onProgress ?? (() => undefined);
    progress(`writing ${input.series.length} series`);
    await writeSeries(url, input.series);
    const query = httpQueryRange(url, fetch);
    const levels = input.levels.levels;
    for (const [i, level] of levels.entries()) {
      progress(`recording rules, level ${i + 1} of ${levels.length}`);
      const written: WriteSeries[] = [];
      for (const recording of level)
        written.push(...(await evaluateRecording(query, recording, input)));
      await writeSeries(url, written);
    }
    const intervals: FiringInterval[] = [];
    for (const [i, { rule, intervalMs }] of input.levels.alerts.entries()) {
      progress(`alert ${i + 1} of ${input.levels.alerts.length} (${rule.alert})`);
      const start = alignUp(input.startMs, intervalMs);
      const series = await query(rule.expr, start, input.endMs, intervalMs);
      const byAlert = new Map<string, { labels: Labels; times: number[] }>();
      for (const s of series) {
        const labels: Labels = { ...s.metric, ...rule.labels, alertname: rule.alert };
        const entry = byAlert.get(alertKey(labels)) ?? { labels, times: [] };
        for (const [t] of s.values) entry.times.push(Math.round(t * 1000));
        byAlert.set(alertKey(labels), entry);
      }
      for (const { labels, times } of byAlert.values()) {
        times.sort((a, b) => a - b);
        for (const run of applyFor(times, intervalMs, rule.forMs, rule.keepFiringForMs ?? 0))
          intervals.push({
            monitor: labels["monitor"] ?? "",
            labels: Object.fromEntries(Object.entries(labels).filter(([k]) => k !== "__name__")),
            startMs: run.startMs,
            endMs: Math.min(run.endMs, input.endMs),
          });
      }
    }
    return intervals.sort((a, b) => a.startMs - b.startMs);
  } catch (error) {
    const output = prometheus?.process.output().trim().split("\n").slice(-5).join("\n") ?? "";
    throw new Error(`${(error as Error).message}${output ? `\nprometheus: ${output}` : ""}`);
  } finally {
    await prometheus?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function evaluateRecording(
  query: ReturnType<typeof httpQueryRange>,
  { rule, intervalMs }: LevelledRecording,
  input: ReplayInput,
): Promise<WriteSeries[]> {
  const start = alignUp(input.startMs, intervalMs);
  const result: readonly RangeSeries[] = await query(rule.expr, start, input.endMs, intervalMs);
  return result.map((s) => {
    const labels = { ...withoutName(s.metric), ...rule.labels, __name__: rule.record };
    const samples: WriteSample[] = [];
    let previous: number | undefined;
    for (const [seconds, text] of s.values) {
      const t = Math.round(seconds * 1000);
      // A gap in the output: the rule manager marks the series stale at the first miss.
      if (previous !== undefined && t - previous > intervalMs)
        samples.push({ t: previous + intervalMs, v: NaN, stale: true });
      samples.push({ t, v: Number(text) });
      previous = t;
    }
    if (previous !== undefined && previous + intervalMs <= input.endMs)
      samples.push({ t: previous + intervalMs, v: NaN, stale: true });
    return { labels, samples };
  });
}

/** Remote write in requests of at most ~50k samples, each series' samples in time order. */
async function writeSeries(url: string, series: readonly WriteSeries[]): Promise<void> {
  const MAX = 50_000;
  let batch: WriteSeries[] = [];
  let size = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const body = snappyLiteralBlock(encodeWriteRequest(batch));
    const response = await fetch(`${url}/api/v1/write`, {
      method: "POST",
      headers: {
        "content-type": "application/x-protobuf",
        "content-encoding": "snappy",
        "x-prometheus-remote-write-version": "0.1.0",
      },
      body,
    });
    if (!response.ok)
      throw new Error(
        `remote write failed (${response.status}): ${(await response.text()).trim()}`,
      );
    batch = [];
    size = 0;
  };
  for (const s of series)
    for (let at = 0; at < s.samples.length; at += MAX) {
      const part = s.samples.slice(at, at + MAX);
      batch.push({ labels: s.labels, samples: part });
      size += part.length;
      if (size >= MAX) await flush();
    }
  await flush();
}

function withoutName(labels: Labels): Labels {
  return Object.fromEntries(Object.entries(labels).filter(([k]) => k !== "__name__"));
}

function alignUp(ms: number, stepMs: number): number {
  return Math.ceil(ms / stepMs) * stepMs;
}
