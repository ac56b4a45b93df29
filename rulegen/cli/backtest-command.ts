import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import type { CliIo } from "../../core/cli/cli-io.js";
import { EXIT, UsageError } from "../../core/cli/cli-io.js";
import { formatDiagnostics } from "../../core/diagnostics/format.js";
import type { Diagnostic } from "../../core/diagnostics/diagnostic.js";
import { parseDuration } from "../../core/duration.js";
import { findBinary } from "../../core/find-binary.js";
import { apiBacktest, httpQueryRange } from "../backtest/api-backtest.js";
import type { FiringInterval } from "../backtest/firing-intervals.js";
import { buildReport, formatReport } from "../backtest/format-report.js";
import type { BacktestReport } from "../backtest/format-report.js";
import { parseLabelledWindows, parseTime } from "../backtest/labelled-windows.js";
import { formatNabSummary, formatNabTables } from "../backtest/nab-format.js";
import type { MonitorNabReport } from "../backtest/nab-format.js";
import { scoreNabFile, summarizeByFolder, summarizeNab } from "../backtest/nab-report.js";
import { parseNabWindows } from "../backtest/nab-windows.js";
import type { TimeWindow } from "../backtest/nab-windows.js";
import { seriesFileLimitation } from "../backtest/promtool-backtest.js";
import type { SeriesFile } from "../backtest/replay-plan.js";
import type { LabelledWindow } from "../backtest/report.js";
import { runSeriesBacktests } from "../backtest/run-series-backtests.js";
import { seriesSampleWarnings } from "../backtest/sample-warnings.js";
import { parseSeriesFile } from "../backtest/series-file.js";
import type { Sample } from "../backtest/series-file.js";
import { compileSpecs, hasErrors } from "../compile.js";
import type { Monitor } from "../../spec/model/monitor.js";
import { planRuleFile } from "../plan/plan-rule-file.js";
import { findPromtool } from "./promtool.js";

export const BACKTEST_USAGE = `Usage:
  aiwatch rules backtest SPEC --series FILE|DIR [options]
      replay CSV/JSON series (timestamp,value; a folder: every .csv under it) through a real
      Prometheus rule engine
  aiwatch rules backtest SPEC --url URL --start TIME --end TIME [options]
      query a Prometheus-compatible API over a range (recording rules inlined, \`for\` applied)

Options:
  --monitor NAME        only this monitor (repeatable; default: every monitor the source can feed)
  --windows FILE        score like NAB: {"<series>": [["start", "end"], ...]}, series named as
                        under the --series folder (NAB's labels/combined_windows.json); prints
                        NAB's three profiles, windows detected and false episodes per series-day
  --labels FILE         score against incident windows: [{ "start", "end", "monitor"? }]
  --grace DURATION      with --labels, an alert may start this long after a window ends (default 15m)
  --engine E            series source: prometheus (a real Prometheus, each group at its own
                        interval, samples at their own times), promtool (promtool test rules,
                        every group at the evaluation interval) or auto (default: prometheus
                        when the rules allow it)
  --step DURATION       API source: evaluation step (default: the spec's evaluation interval)
  --bearer-token-file F API source: send Authorization: Bearer <contents of F>
  --prometheus PATH     series source: prometheus binary (or AIWATCH_PROMETHEUS)
  --promtool PATH       series source: promtool binary (or AIWATCH_PROMTOOL)
  --format text|json    output format (default text); --json is --format json

TIME is RFC 3339, Unix seconds, now or now-7d (s, m, h, d, w). Times without a zone
(2015-02-26 21:42:53, NAB's form) are UTC.
`;

interface Options {
  readonly spec: string;
  readonly series: string | undefined;
  readonly url: string | undefined;
  readonly start: string | undefined;
  readonly end: string | undefined;
  readonly monitors: readonly string[];
  readonly labels: string | undefined;
  readonly windows: string | undefined;
  readonly graceMs: number;
  readonly stepMs: number | undefined;
  readonly tokenFile: string | undefined;
  readonly engine: "auto" | "prometheus" | "promtool";
  readonly prometheus: string | undefined;
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

  let labelled: readonly LabelledWindow[] | undefined;
  if (options.labels) {
    const parsed = parseLabelledWindows(readText(path(options.labels), options.labels));
    if (!parsed.ok) {
      io.stderr(`${options.labels}: ${parsed.message}\n`);
      return EXIT.inputErrors;
    }
    labelled = parsed.windows;
  }
  let nabWindows: ReadonlyMap<string, readonly TimeWindow[]> | undefined;
  if (options.windows) {
    const parsed = parseNabWindows(readText(path(options.windows), options.windows));
    if (!parsed.ok) {
      io.stderr(`${options.windows}: ${parsed.message}\n`);
      return EXIT.inputErrors;
    }
    nabWindows = parsed.windows;
  }

  if (options.series === undefined) {
    if (nabWindows)
      throw new UsageError(`--windows scores series files: use --series\n\n${BACKTEST_USAGE}`);
    return apiCommand(options, model, chosen, labelled, io, path);
  }

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
  const loaded = loadSeries(path(options.series), options.series);
  if ("diagnostics" in loaded) {
    io.stderr(formatDiagnostics(loaded.diagnostics));
    return EXIT.inputErrors;
  }
  // Two samples at one timestamp cannot both be stored: keep the later line, and say so.
  const duplicateWarnings: string[] = [];
  const files = loaded.files.map((file) => {
    const kept = withoutDuplicateTimes(file.samples);
    const dropped = file.samples.length - kept.length;
    if (dropped > 0)
      duplicateWarnings.push(
        `${file.name}: ${dropped} sample(s) share a timestamp with a later one and were dropped (a series holds one value per timestamp)`,
      );
    return { name: file.name, samples: kept };
  });
  if (nabWindows) {
    const unknown = [...nabWindows.keys()].filter((name) => !files.some((f) => f.name === name));
    const unlabelled = files.filter((f) => !nabWindows?.has(f.name)).map((f) => f.name);
    if (unlabelled.length > 0) {
      io.stderr(
        `${options.windows}: no entry for ${unlabelled.join(", ")} (list a series without anomalies as [])\n`,
      );
      return EXIT.inputErrors;
    }
    if (unknown.length > 0 && files.length > 1) {
      io.stderr(`${options.windows}: no series file for ${unknown.join(", ")}\n`);
      return EXIT.inputErrors;
    }
  }
  const rules = compiled.specs[0].files[0];
  if (!rules) throw new Error("internal: no rule file");
  const progress = io.progress ?? (() => undefined);
  const run = await runSeriesBacktests({
    model,
    plan: planRuleFile(model),
    ruleFile: rules,
    monitors: used,
    files,
    engine: options.engine,
    prometheus: findBinary(
      ["prometheus"],
      io.env,
      options.prometheus ?? io.env["AIWATCH_PROMETHEUS"],
    ),
    promtool: findPromtool(io.env, options.promtool),
    onProgress: progress,
  });
  progress("");
  if (!run.ok) {
    io.stderr(`${run.error}\n`);
    return EXIT.inputErrors;
  }
  const warnings = [
    ...duplicateWarnings,
    ...files.flatMap((f) => seriesSampleWarnings(used, model.settings, f.name, f.samples)),
    ...run.warnings,
  ];
  const reports = files.map((file) =>
    buildReport(
      file.name,
      {
        startMs: file.samples[0]?.t ?? 0,
        endMs: file.samples[file.samples.length - 1]?.t ?? 0,
      },
      used.map((m) => m.name),
      [...(run.intervals.get(file.name) ?? [])],
      skipped,
      labelled,
      options.graceMs,
    ),
  );
  const nab = nabWindows ? nabReports(used, files, run.intervals, nabWindows) : undefined;
  const single = files.length === 1 ? reports[0] : undefined;
  if (options.format === "json") {
    io.stdout(
      JSON.stringify(
        {
          source: options.series,
          engine: run.engine,
          ...(single
            ? { startMs: single.startMs, endMs: single.endMs, monitors: single.monitors }
            : {}),
          series: reports.map((r) => ({
            name: r.source,
            startMs: r.startMs,
            endMs: r.endMs,
            monitors: r.monitors,
          })),
          ...(nab ? { nab } : {}),
          skipped,
          warnings,
        },
        null,
        2,
      ) + "\n",
    );
  } else {
    io.stdout(formatSeriesText(options.series, run.engine, reports, nab, warnings, single));
  }
  return EXIT.ok;
}

async function apiCommand(
  options: Options,
  model: ReturnType<typeof compileSpecs>["specs"][number]["model"],
  chosen: Monitor[],
  labelled: readonly LabelledWindow[] | undefined,
  io: CliIo,
  path: (p: string) => string,
): Promise<number> {
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
  let intervals: FiringInterval[];
  try {
    intervals = await apiBacktest(
      planRuleFile(model),
      chosen,
      httpQueryRange(options.url ?? "", fetch, headers),
      { startMs: aligned, endMs, stepMs },
    );
  } catch (error) {
    io.stderr(`${options.url}: ${(error as Error).message}\n`);
    return EXIT.inputErrors;
  }
  const report = buildReport(
    options.url ?? "",
    { startMs: aligned, endMs },
    chosen.map((m) => m.name),
    intervals,
    [],
    labelled,
    options.graceMs,
  );
  io.stdout(
    options.format === "json" ? JSON.stringify(report, null, 2) + "\n" : formatReport(report),
  );
  return EXIT.ok;
}

function nabReports(
  monitors: readonly Monitor[],
  files: readonly SeriesFile[],
  intervals: ReadonlyMap<string, readonly FiringInterval[]>,
  windows: ReadonlyMap<string, readonly TimeWindow[]>,
): MonitorNabReport[] {
  return monitors.map((monitor) => {
    const results = files.map((file) => {
      const starts = (intervals.get(file.name) ?? [])
        .filter((i) => i.monitor === monitor.name)
        .map((i) => i.startMs)
        .sort((a, b) => a - b);
      return scoreNabFile(
        file.name,
        file.samples.map((s) => s.t),
        starts,
        windows.get(file.name) ?? windows.get(file.name.split("/").pop() ?? "") ?? [],
      );
    });
    return {
      monitor: monitor.name,
      summary: summarizeNab(results),
      folders: Object.fromEntries(summarizeByFolder(results)),
      files: results,
    };
  });
}

function formatSeriesText(
  source: string,
  engine: string,
  reports: readonly BacktestReport[],
  nab: readonly MonitorNabReport[] | undefined,
  warnings: readonly string[],
  single: BacktestReport | undefined,
): string {
  const lines: string[] = [];
  if (single && !nab) {
    lines.push(formatReport(single).replace(/\n$/, ""));
  } else {
    lines.push(`backtest of ${source}: ${reports.length} series, engine ${engine}`, "");
    if (!nab)
      for (const r of reports) {
        lines.push(r.source);
        for (const m of r.monitors) lines.push(`  ${m.monitor}: ${m.verdict}`);
      }
    for (const m of nab ?? []) {
      lines.push(m.monitor);
      lines.push(
        ...formatNabSummary(m.summary)
          .split("\n")
          .map((l) => `  ${l}`),
      );
      lines.push("", formatNabTables(m), "");
    }
    const skippedOnce = reports[0]?.skipped ?? [];
    for (const s of skippedOnce) lines.push(`skipped ${s.monitor}: ${s.reason}`);
  }
  for (const w of warnings) lines.push(`warning: ${w}`);
  return lines.join("\n").replace(/\n+$/, "") + "\n";
}

/** Samples sorted by time, the last of each run of equal timestamps kept. */
function withoutDuplicateTimes(samples: readonly Sample[]): Sample[] {
  const out: Sample[] = [];
  for (const s of samples) {
    if (out.length > 0 && out[out.length - 1]?.t === s.t) out[out.length - 1] = s;
    else out.push(s);
  }
  return out;
}

/** A file, or every .csv under a folder, named relative to it with `/`. */
function loadSeries(
  absolute: string,
  shown: string,
): { files: SeriesFile[] } | { diagnostics: readonly Diagnostic[] } {
  let paths: { path: string; name: string }[];
  try {
    paths = statSync(absolute).isDirectory()
      ? csvFilesUnder(absolute).map((p) => ({
          path: p,
          name: relative(absolute, p).split(sep).join("/"),
        }))
      : [{ path: absolute, name: shown }];
  } catch (error) {
    throw new UsageError(
      `cannot read ${shown}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  if (paths.length === 0) throw new UsageError(`no .csv file under ${shown}`);
  const files: SeriesFile[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const { path, name } of paths) {
    const display = paths.length === 1 && path === absolute ? shown : join(shown, name);
    const parsed = parseSeriesFile(display, readText(path, display));
    if (parsed.ok) files.push({ name, samples: parsed.samples });
    else diagnostics.push(...parsed.diagnostics);
  }
  return diagnostics.length > 0 ? { diagnostics } : { files };
}

function csvFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...csvFilesUnder(full));
    else if (entry.isFile() && entry.name.endsWith(".csv")) out.push(full);
  }
  return out;
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
  const format = values["json"] === true ? "json" : (text("format") ?? "text");
  if (format !== "text" && format !== "json")
    throw new UsageError(`--format must be text or json\n\n${BACKTEST_USAGE}`);
  const engine = text("engine") ?? "auto";
  if (engine !== "auto" && engine !== "prometheus" && engine !== "promtool")
    throw new UsageError(`--engine must be auto, prometheus or promtool\n\n${BACKTEST_USAGE}`);
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
    windows: text("windows"),
    graceMs: duration("grace") ?? 15 * 60_000,
    stepMs: duration("step"),
    tokenFile: text("bearer-token-file"),
    engine,
    prometheus: text("prometheus"),
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
