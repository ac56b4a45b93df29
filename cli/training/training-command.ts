import { readFileSync } from "node:fs";
import { basename, extname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { parse as parseYaml, parseDocument } from "yaml";
import type { CliIo } from "../../core/cli/cli-io.js";
import { EXIT, UsageError } from "../../core/cli/cli-io.js";
import { formatDiagnostics } from "../../core/diagnostics/format.js";
import { parseDuration } from "../../core/duration.js";
import { findPromtool } from "../../rulegen/cli/promtool.js";
import { compileSpecs, hasErrors } from "../../rulegen/compile.js";
import { formatReplay } from "../../exporters/training/replay/format-replay.js";
import type { ReplaySummary } from "../../exporters/training/replay/format-replay.js";
import { readLog, REPLAY_FORMATS } from "../../exporters/training/replay/read-log.js";
import type { ReplayFormat } from "../../exporters/training/replay/read-log.js";
import { timeRecords } from "../../exporters/training/replay/replay-clock.js";
import { MAX_RANK } from "../../exporters/training/ingest/validate-training-record.js";
import { runReplay } from "./run-replay.js";
import {
  statisticsConfigSchema,
  statisticsPolicies,
} from "../../exporters/training/statistics/statistics-config.js";
import type { StatisticsPolicies } from "../../exporters/training/statistics/statistics-config.js";

export const TRAINING_USAGE = `Usage:
  aiwatch training replay LOG --spec SPEC [options]
      replay a training log through the training collector and the spec's rules (promtool)
      and print which alerts would have fired, at which steps

Options:
  --format F               the log's format: ${REPLAY_FORMATS.join(", ")}
                           (default: guessed from the lines among megatron, nanogpt, hf_log, json_lines)
  --pattern RE             regex format: a pattern with named groups (repeatable; the first match wins)
  --scrape-interval D      how often Prometheus scrapes the exporter (default 15s)
  --evaluation-interval D  how often the rules run (default: the spec's evaluation_interval)
  --step-time D            time one step takes (default: the log's own time stamps or step durations)
  --run-id ID              run_id of the run (default: the log's file name without extension)
  --job-name NAME          job_name of the run (default: replay)
  --rank N                 rank of the process that wrote the log (the rank label; default: none)
  --exporter-config FILE   take collectors.training.statistics from this exporter config
  --promtool PATH          promtool binary (default: AIWATCH_PROMTOOL or promtool on PATH)
  --output text|json       output format (default text)

D is a Prometheus duration (500ms, 15s, 2m). Exit codes: 0 ok, 1 errors in the input, 2 usage.
`;

export async function runTrainingCommand(args: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case "replay":
      return replayCommand(rest, io);
    case "--help":
    case "-h":
    case "help":
      io.stdout(TRAINING_USAGE);
      return EXIT.ok;
    default:
      throw new UsageError(
        `${sub === undefined ? "missing subcommand" : `unknown subcommand "${sub}"`}\n\n${TRAINING_USAGE}`,
      );
  }
}

interface ReplayOptions {
  readonly log: string;
  readonly spec: string;
  readonly format: ReplayFormat | undefined;
  readonly patterns: readonly string[];
  readonly scrapeIntervalMs: number;
  readonly evaluationIntervalMs: number | undefined;
  readonly stepTimeMs: number | undefined;
  readonly runId: string;
  readonly jobName: string;
  readonly rank: number | undefined;
  readonly exporterConfig: string | undefined;
  readonly promtool: string | undefined;
  readonly output: "text" | "json";
}

async function replayCommand(args: readonly string[], io: CliIo): Promise<number> {
  const options = readOptions(args);
  const path = (p: string): string => resolve(io.cwd, p);
  const specText = readText(path(options.spec), options.spec);
  const compiled = compileSpecs([
    { file: options.spec, text: specText, displayName: options.spec },
  ]);
  if (hasErrors(compiled.diagnostics) || !compiled.specs[0]) {
    io.stderr(formatDiagnostics(compiled.diagnostics));
    return EXIT.inputErrors;
  }
  const evaluationIntervalMs =
    options.evaluationIntervalMs ?? compiled.specs[0].model.settings.evaluationIntervalMs;
  // The rules as the spec compiles them for this scrape interval (detectors size their
  // windows and warm-up checks by it).
  const document = parseDocument(specText);
  document.setIn(["defaults", "scrape_interval"], `${options.scrapeIntervalMs / 1000}s`);
  document.setIn(["defaults", "evaluation_interval"], `${evaluationIntervalMs / 1000}s`);
  const replayed = compileSpecs([
    { file: options.spec, text: document.toString(), displayName: options.spec },
  ]);
  const spec = replayed.specs[0];
  const ruleFile = spec?.files.find((f) => f.name.endsWith(".rules.yml"));
  if (hasErrors(replayed.diagnostics) || !spec || !ruleFile) {
    io.stderr(formatDiagnostics(replayed.diagnostics));
    return EXIT.inputErrors;
  }

  let statistics: StatisticsPolicies;
  try {
    statistics = statisticsFrom(options.exporterConfig, path);
  } catch (error) {
    io.stderr(`${options.exporterConfig}: ${(error as Error).message}\n`);
    return EXIT.inputErrors;
  }

  let read;
  try {
    read = readLog(readText(path(options.log), options.log), options);
  } catch (error) {
    io.stderr(`${options.log}: ${(error as Error).message}\n`);
    return EXIT.inputErrors;
  }
  if (!read || read.records.length === 0) {
    io.stderr(
      `${options.log}: no training records found${options.format ? ` in the ${options.format} format` : ""}; give --format (${REPLAY_FORMATS.join(", ")})\n`,
    );
    return EXIT.inputErrors;
  }
  for (const problem of read.problems.slice(0, 20))
    io.stderr(`${options.log}:${problem.line ?? "?"}: ${problem.reason}: ${problem.message}\n`);
  const rank = options.rank;
  const records =
    rank === undefined
      ? read.records
      : read.records.map((r) =>
          r.record.rank === undefined ? { ...r, record: { ...r.record, rank } } : r,
        );
  const timed = timeRecords(records, options.stepTimeMs);
  if (!timed.ok) {
    io.stderr(`${options.log}: ${timed.message}\n`);
    return EXIT.inputErrors;
  }
  const promtool = findPromtool(io.env, options.promtool);
  if (!promtool) {
    io.stderr(
      "promtool not found: install Debian's prometheus package, set AIWATCH_PROMTOOL or pass --promtool\n",
    );
    return EXIT.inputErrors;
  }
  const run = await runReplay({
    records: timed.records,
    ruleFile,
    signals: new Map(spec.model.monitors.map((m) => [m.name, m.signal.expr])),
    scrapeIntervalMs: options.scrapeIntervalMs,
    evaluationIntervalMs,
    statistics,
    promtool,
  });
  if ("error" in run) {
    io.stderr(`${run.error}\n`);
    return EXIT.inputErrors;
  }
  const steps = timed.records.map((r) => r.record.step).filter((s): s is number => s !== undefined);
  const summary: ReplaySummary = {
    log: options.log,
    format: read.format,
    runId: options.runId,
    jobName: options.jobName,
    rank,
    records: read.records.length,
    firstStep: steps[0],
    lastStep: steps[steps.length - 1],
    clock: timed.source,
    durationMs: timed.records[timed.records.length - 1]?.atMs ?? 0,
    scrapeIntervalMs: options.scrapeIntervalMs,
    evaluationIntervalMs,
    spec: options.spec,
    monitors: spec.model.monitors.length,
    refused: read.problems,
    alerts: run.alerts,
  };
  io.stdout(
    options.output === "json" ? `${JSON.stringify(summary, null, 2)}\n` : formatReplay(summary),
  );
  return EXIT.ok;
}

function readOptions(args: readonly string[]): ReplayOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        spec: { type: "string" },
        format: { type: "string" },
        pattern: { type: "string", multiple: true },
        "scrape-interval": { type: "string" },
        "evaluation-interval": { type: "string" },
        "step-time": { type: "string" },
        "run-id": { type: "string" },
        "job-name": { type: "string" },
        rank: { type: "string" },
        "exporter-config": { type: "string" },
        promtool: { type: "string" },
        output: { type: "string" },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${TRAINING_USAGE}`);
  }
  const { values, positionals } = parsed;
  const [log, ...extra] = positionals;
  if (log === undefined || extra.length > 0)
    throw new UsageError(`exactly one LOG is required\n\n${TRAINING_USAGE}`);
  if (values.spec === undefined) throw new UsageError(`--spec is required\n\n${TRAINING_USAGE}`);
  const format = values.format;
  if (format !== undefined && !(REPLAY_FORMATS as readonly string[]).includes(format))
    throw new UsageError(
      `--format must be one of ${REPLAY_FORMATS.join(", ")}\n\n${TRAINING_USAGE}`,
    );
  const patterns = values.pattern ?? [];
  if ((format === "regex") !== patterns.length > 0)
    throw new UsageError(
      `--pattern goes with --format regex, and it needs one\n\n${TRAINING_USAGE}`,
    );
  for (const pattern of patterns) {
    try {
      new RegExp(pattern);
    } catch (error) {
      throw new UsageError(`--pattern: ${(error as Error).message}\n\n${TRAINING_USAGE}`);
    }
  }
  const duration = (key: "scrape-interval" | "evaluation-interval" | "step-time") => {
    const raw = values[key];
    if (raw === undefined) return undefined;
    const ms = parseDuration(raw);
    if (ms === undefined || ms <= 0)
      throw new UsageError(`--${key}: not a duration: ${raw}\n\n${TRAINING_USAGE}`);
    return ms;
  };
  const rank = values.rank === undefined ? undefined : Number(values.rank);
  if (rank !== undefined && !(Number.isInteger(rank) && rank >= 0 && rank <= MAX_RANK))
    throw new UsageError(
      `--rank: expected an integer from 0 to ${MAX_RANK}, got ${values.rank}\n\n${TRAINING_USAGE}`,
    );
  const output = values.output ?? "text";
  if (output !== "text" && output !== "json")
    throw new UsageError(`--output must be text or json\n\n${TRAINING_USAGE}`);
  return {
    log,
    spec: values.spec,
    format: format as ReplayFormat | undefined,
    patterns,
    scrapeIntervalMs: duration("scrape-interval") ?? 15_000,
    evaluationIntervalMs: duration("evaluation-interval"),
    stepTimeMs: duration("step-time"),
    runId: values["run-id"] ?? basename(log, extname(log)),
    jobName: values["job-name"] ?? "replay",
    rank,
    exporterConfig: values["exporter-config"],
    promtool: values.promtool,
    output,
  };
}

/** The exporter config's statistics settings, or the defaults. */
function statisticsFrom(file: string | undefined, path: (p: string) => string): StatisticsPolicies {
  if (file === undefined) return statisticsPolicies(statisticsConfigSchema.parse({}));
  const config = parseYaml(readText(path(file), file)) as unknown;
  const training = (config as { collectors?: { training?: { statistics?: unknown } } } | null)
    ?.collectors?.training;
  const checked = statisticsConfigSchema.safeParse(training?.statistics ?? {});
  if (!checked.success)
    throw new Error(
      `collectors.training.statistics: ${checked.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  return statisticsPolicies(checked.data);
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
