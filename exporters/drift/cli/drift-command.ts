import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { CliIo } from "../../../core/cli/cli-io.js";
import { EXIT, UsageError } from "../../../core/cli/cli-io.js";
import { formatDiagnostics } from "../../../core/diagnostics/format.js";
import { compareRecords } from "../collector/compare-records.js";
import { DEFAULT_NULL_VALUES } from "../data/csv.js";
import { DATA_FORMATS, formatOfFile, readTable } from "../data/read-table.js";
import type { DataFormat } from "../data/read-table.js";
import type { Table } from "../data/table.js";
import { DataFileError } from "../data/table.js";
import { DRIFT_METHODS } from "../evaluate/drift-methods.js";
import type { DriftMethod } from "../evaluate/drift-methods.js";
import { DEFAULT_PROFILE_SETTINGS, FEATURE_TYPES } from "../profile/drift-profile.js";
import type { FeatureType } from "../profile/drift-profile.js";
import { loadProfileFile } from "../profile/load-profile.js";
import { profileFromTable } from "../profile/profile-from-table.js";
import { typedRecords } from "../profile/typed-records.js";
import { formatComparison, formatProfileSummary } from "./format-report.js";

export const DRIFT_USAGE = `Usage:
  aiwatch drift profile DATA --out PROFILE.json [options]   build a reference profile
  aiwatch drift compare DATA --profile PROFILE.json [options] score DATA against a profile

DATA is CSV (header line), JSON lines (.jsonl, .ndjson) or Parquet (.parquet).

profile options:
  --columns a,b,c        only these columns (default: all)
  --exclude id,ts        leave these columns out (ids, timestamps, predictions)
  --type NAME=TYPE       force a column's type: numeric, categorical or boolean (repeatable)
  --bins N               bins for PSI and Jensen-Shannon (default ${DEFAULT_PROFILE_SETTINGS.bins})
  --resolution N         quantile bins for KS and Wasserstein (default ${DEFAULT_PROFILE_SETTINGS.resolution})
  --max-categories N     categories kept per feature (default ${DEFAULT_PROFILE_SETTINGS.max_categories})
  --profile-version V    the profile's version label (default: the first 12 hex digits
                         of the content hash; --version prints aiwatch's own version)
compare options:
  --methods psi,ks       methods to compute (default: chosen per feature by sample size and type)
  --min-samples N        minimum samples to score a feature (default 100)
  --ignore id,ts         columns that are not features
common options:
  --format csv|jsonl|parquet   when the file extension does not say
  --null-values "?,NA"   CSV cells read as missing (default: "${DEFAULT_NULL_VALUES.join(",")}")

Exit codes: 0 ok (compare: no dataset drift), 1 input errors (compare: dataset drift), 2 usage.
`;

export async function runDriftCommand(args: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case "profile":
      return profileCommand(rest, io);
    case "compare":
      return compareCommand(rest, io);
    case "--help":
    case "-h":
    case "help":
      io.stdout(DRIFT_USAGE);
      return EXIT.ok;
    default:
      throw new UsageError(
        `${sub === undefined ? "missing subcommand" : `unknown subcommand "${sub}"`}\n\n${DRIFT_USAGE}`,
      );
  }
}

const COMMON_OPTIONS = {
  format: { type: "string" },
  "null-values": { type: "string" },
} as const;

function parse<T>(parseThem: () => T): T {
  try {
    return parseThem();
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${DRIFT_USAGE}`);
  }
}

async function profileCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(() =>
    parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        ...COMMON_OPTIONS,
        out: { type: "string" },
        columns: { type: "string" },
        exclude: { type: "string" },
        type: { type: "string", multiple: true },
        bins: { type: "string" },
        resolution: { type: "string" },
        "max-categories": { type: "string" },
        "profile-version": { type: "string" },
      },
    }),
  );
  const data = single(positionals, "DATA");
  if (typeof values.out !== "string")
    throw new UsageError(`--out PROFILE.json is required\n\n${DRIFT_USAGE}`);
  const table = await readData(data, values.format, values["null-values"], io);
  if (!table) return EXIT.inputErrors;
  const result = profileFromTable(table, {
    settings: {
      bins: integer(values.bins, "--bins", DEFAULT_PROFILE_SETTINGS.bins, 2),
      resolution: integer(
        values.resolution,
        "--resolution",
        DEFAULT_PROFILE_SETTINGS.resolution,
        2,
      ),
      max_categories: integer(
        values["max-categories"],
        "--max-categories",
        DEFAULT_PROFILE_SETTINGS.max_categories,
        1,
      ),
    },
    columns: list(values.columns),
    exclude: list(values.exclude),
    types: typeOverrides(values.type ?? []),
    sourceName: data,
    created: new Date().toISOString(),
    version: values["profile-version"],
  });
  if (!result.ok) {
    if ("unknownColumns" in result) {
      io.stderr(
        `${data}: error unknown-column: no column ${result.unknownColumns.map((c) => JSON.stringify(c)).join(", ")} (columns: ${table.columns.join(", ")})\n`,
      );
    } else {
      for (const error of result.errors) {
        // Text formats name the file line (blank lines and multi-line cells make it differ
        // from the row); Parquet has rows only.
        const line = table.rowLines?.[error.row];
        io.stderr(
          line === undefined
            ? `${data}: error wrong-type: row ${error.row + 1}, column "${error.column}": ${error.message}\n`
            : `${data}:${line}: error wrong-type: column "${error.column}": ${error.message}\n`,
        );
      }
    }
    return EXIT.inputErrors;
  }
  const out = resolve(io.cwd, values.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(result.profile, null, 2) + "\n");
  io.stdout(formatProfileSummary(result.profile));
  io.stdout(`wrote ${values.out}\n`);
  return EXIT.ok;
}

async function compareCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(() =>
    parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        ...COMMON_OPTIONS,
        profile: { type: "string" },
        methods: { type: "string" },
        "min-samples": { type: "string" },
        ignore: { type: "string" },
      },
    }),
  );
  const data = single(positionals, "DATA");
  if (typeof values.profile !== "string")
    throw new UsageError(`--profile PROFILE.json is required\n\n${DRIFT_USAGE}`);
  const methods = list(values.methods);
  for (const method of methods ?? [])
    if (!(DRIFT_METHODS as readonly string[]).includes(method))
      throw new UsageError(
        `--methods: unknown method "${method}" (one of ${DRIFT_METHODS.join(", ")})`,
      );
  const loaded = await loadProfileFile(resolve(io.cwd, values.profile));
  if (!loaded.ok) {
    io.stderr(formatDiagnostics(loaded.diagnostics));
    return EXIT.inputErrors;
  }
  const table = await readData(data, values.format, values["null-values"], io);
  if (!table) return EXIT.inputErrors;
  const comparison = compareRecords(loaded.profile, typedRecords(table, loaded.profile), {
    methods: methods as DriftMethod[] | undefined,
    minSamples: integer(values["min-samples"], "--min-samples", 100, 1),
    ignoreColumns: list(values.ignore),
  });
  io.stdout(formatComparison(loaded.profile, comparison));
  return comparison.dataset.detected ? EXIT.inputErrors : EXIT.ok;
}

async function readData(
  file: string,
  formatOption: string | undefined,
  nullValues: string | undefined,
  io: CliIo,
): Promise<Table | undefined> {
  const format = (formatOption ?? formatOfFile(file)) as DataFormat | undefined;
  if (format === undefined || !DATA_FORMATS.includes(format))
    throw new UsageError(
      `cannot tell the format of ${file}: name it .csv, .jsonl or .parquet, or pass --format ${DATA_FORMATS.join("|")}`,
    );
  const nulls = new Set(nullValues === undefined ? DEFAULT_NULL_VALUES : nullValues.split(","));
  try {
    return await readTable(resolve(io.cwd, file), format, nulls);
  } catch (error) {
    if (!(error instanceof DataFileError)) throw error;
    io.stderr(
      `${error.where.replace(resolve(io.cwd, file), file)}: error invalid-data: ${error.message}\n`,
    );
    return undefined;
  }
}

function single(positionals: readonly string[], what: string): string {
  if (positionals.length !== 1 || positionals[0] === undefined)
    throw new UsageError(`expected exactly one ${what} file\n\n${DRIFT_USAGE}`);
  return positionals[0];
}

function list(text: string | undefined): string[] | undefined {
  return text === undefined
    ? undefined
    : text
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
}

function integer(text: string | undefined, flag: string, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min)
    throw new UsageError(`${flag}: expected an integer >= ${min}, got "${text}"`);
  return value;
}

function typeOverrides(entries: readonly string[]): Record<string, FeatureType> {
  const types: Record<string, FeatureType> = {};
  for (const entry of entries) {
    const at = entry.lastIndexOf("=");
    const name = entry.slice(0, at);
    const type = entry.slice(at + 1);
    if (at <= 0 || !(FEATURE_TYPES as readonly string[]).includes(type))
      throw new UsageError(`--type: expected NAME=${FEATURE_TYPES.join("|")}, got "${entry}"`);
    types[name] = type as FeatureType;
  }
  return types;
}
