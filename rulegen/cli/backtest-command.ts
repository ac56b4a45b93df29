import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { CliIo } from "../../core/cli/cli-io.js";
import { EXIT, UsageError } from "../../core/cli/cli-io.js";
import { formatDiagnostics } from "../../core/diagnostics/format.js";
import { parseDuration } from "../../core/duration.js";
import { apiBacktest, httpQueryRange } from "../backtest/api-backtest.js";
import type { FiringInterval } from "../backtest/firing-intervals.js";
import { buildReport, formatReport } from "../backtest/format-report.js";
import { parseLabelledWindows, parseTime } from "../backtest/labelled-windows.js";
import { seriesFileLimitation } from "../backtest/promtool-backtest.js";
import { runSeriesBacktest } from "../backtest/run-series-backtest.js";
import type { LabelledWindow } from "../backtest/report.js";
import { parseSeriesFile } from "../backtest/series-file.js";
import { compileSpecs, hasErrors } from "../compile.js";
import type { Monitor } from "../../spec/model/monitor.js";
import { planRuleFile } from "../plan/plan-rule-file.js";
import { findPromtool } from "./promtool.js";

export const BACKTEST_USAGE = `Usage:
  aiwatch rules backtest SPEC --series FILE [options]
      replay a CSV/JSON series (timestamp,value) through Prometheus's rule engine (promtool)
  aiwatch rules backtest SPEC --url URL --start TIME --end TIME [options]
      query a Prometheus-compatible API over a range (recording rules inlined, \`for\` applied)

Options:
  --monitor NAME        only this monitor (repeatable; default: every monitor the source can feed)
  --labels FILE         score against labelled incident windows: [{ "start", "end", "monitor"? }]
  --grace DURATION      an alert may start this long after a labelled window ends (default 15m)
  --step DURATION       API source: evaluation step (default: the spec's evaluation interval)
  --bearer-token-file F API source: send Authorization: Bearer <contents of F>
  --promtool PATH       series source: promtool binary
  --format text|json    output format (default text)

TIME is RFC 3339, Unix seconds, now or now-7d (s, m, h, d, w).
`;

interface Options {
  readonly spec: string;
  readonly series: string | undefined;
  readonly url: string | undefined;
  readonly start: string | undefined;
  readonly end: string | undefined;
  readonly monitors: readonly string[];
  readonly labels: string | undefined;
  readonly graceMs: number;
  readonly stepMs: number | undefined;
  readonly tokenFile: string | undefined;
  readonly promtool: string | undefined;
  readonly format: "text" | "json";
}

export async function backtestCommand(
  values: Record<string, string | boolean | (string | boolean)[] | undefined>,
  positionals: readonly string[],
  io: CliIo,
): Promise<number> {
  const options = readOptions(values, positionals);
  const path = (p: string): string => resolve(io.cwd, p);
  const compiled = compileSpecs([
    {
      file: options.spec,
      text: readText(path(options.spec), options.spec),
      displayName: options.spec,
    },
  ]);
  if (hasErrors(compiled.diagnostics) || !compiled.specs[0]) {
    io.stderr(formatDiagnostics(compiled.diagnostics));
    return EXIT.inputErrors;
  }
  const model = compiled.specs[0].model;
  const requested = new Set(options.monitors);
  for (const name of requested)
    if (!model.monitors.some((m) => m.name === name)) {
      io.stderr(`${options.spec}: no monitor named "${name}"\n`);
      return EXIT.inputErrors;
    }
  const chosen = model.monitors.filter((m) => requested.size === 0 || requested.has(m.name));

  let windows: readonly LabelledWindow[] | undefined;
  if (options.labels) {
    const parsed = parseLabelledWindows(readText(path(options.labels), options.labels));
    if (!parsed.ok) {
      io.stderr(`${options.labels}: ${parsed.message}\n`);
      return EXIT.inputErrors;
    }
    windows = parsed.windows;
  }

  let run: {
    intervals: FiringInterval[];
    startMs: number;
    endMs: number;
    used: Monitor[];
    skipped: { monitor: string; reason: string }[];
  };
  if (options.series !== undefined) {
    const skipped = chosen
      .map((m) => ({ monitor: m.name, reason: seriesFileLimitation(m) }))
      .filter((s): s is { monitor: string; reason: string } => s.reason !== undefined);
    const used = chosen.filter((m) => seriesFileLimitation(m) === undefined);
    if (used.length === 0) {
      io.stderr(
        `no monitor can be fed from one series: ${skipped.map((s) => `${s.monitor} (${s.reason})`).join("; ")}\n`,
      );
      return EXIT.inputErrors;
    }
    const series = parseSeriesFile(options.series, readText(path(options.series), options.series));
    if (!series.ok) {
      io.stderr(formatDiagnostics(series.diagnostics));
      return EXIT.inputErrors;
    }
    const promtool = findPromtool(io.env, options.promtool);
    if (!promtool) {
      io.stderr(
        "promtool not found: install Debian's prometheus package, set AIWATCH_PROMTOOL or pass --promtool\n",
      );
      return EXIT.inputErrors;
    }
    const rules = compiled.specs[0].files[0];
    if (!rules) throw new Error("internal: no rule file");
    const read = await runSeriesBacktest(model, rules, used, series.samples, promtool);
    if ("error" in read) {
      io.stderr(`${read.error}\n`);
      return EXIT.inputErrors;
    }
    run = { ...read, used, skipped };
  } else {
    const now = Date.now();
    const startMs = parseTime(options.start, now);
    const endMs = parseTime(options.end, now);
    if (startMs === undefined || endMs === undefined || endMs <= startMs)
      throw new UsageError(`--start and --end must be times with start < end\n\n${BACKTEST_USAGE}`);
    const headers: Record<string, string> = {};
    if (options.tokenFile)
      headers["authorization"] =
        `Bearer ${readText(path(options.tokenFile), options.tokenFile).trim()}`;
    const stepMs = options.stepMs ?? model.settings.evaluationIntervalMs;
    const aligned = Math.ceil(startMs / stepMs) * stepMs;
    try {
      const intervals = await apiBacktest(
        planRuleFile(model),
        chosen,
        httpQueryRange(options.url ?? "", fetch, headers),
        { startMs: aligned, endMs, stepMs },
      );
      run = { intervals, startMs: aligned, endMs, used: chosen, skipped: [] };
    } catch (error) {
      io.stderr(`${options.url}: ${(error as Error).message}\n`);
      return EXIT.inputErrors;
    }
  }
  const report = buildReport(
    options.series ?? options.url ?? "",
    run,
    run.used.map((m) => m.name),
    run.intervals,
    run.skipped,
    windows,
    options.graceMs,
  );
  io.stdout(
    options.format === "json" ? JSON.stringify(report, null, 2) + "\n" : formatReport(report),
  );
  return EXIT.ok;
}

function readOptions(
  values: Record<string, string | boolean | (string | boolean)[] | undefined>,
  positionals: readonly string[],
): Options {
  const text = (key: string): string | undefined => {
    const v = values[key];
    return typeof v === "string" ? v : undefined;
  };
  const [spec, ...extra] = positionals;
  if (spec === undefined || extra.length > 0)
    throw new UsageError(`exactly one SPEC is required\n\n${BACKTEST_USAGE}`);
  const series = text("series");
  const url = text("url");
  if ((series === undefined) === (url === undefined))
    throw new UsageError(`give either --series FILE or --url URL\n\n${BACKTEST_USAGE}`);
  if (url !== undefined && (text("start") === undefined || text("end") === undefined))
    throw new UsageError(`--url needs --start and --end\n\n${BACKTEST_USAGE}`);
  const duration = (key: string): number | undefined => {
    const raw = text(key);
    if (raw === undefined) return undefined;
    const ms = parseDuration(raw);
    if (ms === undefined || ms <= 0)
      throw new UsageError(`--${key}: not a duration: ${raw}\n\n${BACKTEST_USAGE}`);
    return ms;
  };
  const format = text("format") ?? "text";
  if (format !== "text" && format !== "json")
    throw new UsageError(`--format must be text or json\n\n${BACKTEST_USAGE}`);
  const monitor = values["monitor"];
  return {
    spec,
    series,
    url,
    start: text("start"),
    end: text("end"),
    monitors: (Array.isArray(monitor) ? monitor : monitor === undefined ? [] : [monitor]).map(
      String,
    ),
    labels: text("labels"),
    graceMs: duration("grace") ?? 15 * 60_000,
    stepMs: duration("step"),
    tokenFile: text("bearer-token-file"),
    promtool: text("promtool"),
    format,
  };
}

function readText(path: string, shown: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(
      `cannot read ${shown}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}
