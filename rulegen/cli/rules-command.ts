import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { CliIo } from "../../core/cli/cli-io.js";
import { EXIT, UsageError } from "../../core/cli/cli-io.js";
import { reportGeneratedCheck } from "../../core/cli/report-generated-check.js";
import { readSpecSources } from "../../spec/load/read-spec-sources.js";
import { formatDiagnostics } from "../../core/diagnostics/format.js";
import type { Diagnostic } from "../../core/diagnostics/diagnostic.js";
import {
  checkGeneratedFiles,
  writeGeneratedFiles,
  writeTextFile,
} from "../../core/generated-files.js";
import { compileSpecs } from "../compile.js";
import type { CompileResult } from "../compile.js";
import { specJsonSchema } from "../../spec/schema/json-schema.js";
import { BACKTEST_USAGE, backtestCommand } from "./backtest-command.js";
import { isTarget, TARGETS } from "../../spec/model/target.js";
import { checkAndTestRules, findPromtool } from "./promtool.js";
import { isRuleFileName, stageRuleFiles } from "./stage-rule-files.js";

export const RULES_USAGE = `Usage:
  aiwatch rules compile SPEC... --out DIR [--target T]
                                            write DIR/<spec>.rules.yml and DIR/<spec>.test.yml
  aiwatch rules check SPEC... --out DIR [--target T]
                                            exit 1 and print a diff if DIR is not what the specs compile to
  aiwatch rules test DIR [--promtool PATH]  promtool check rules + promtool test rules on DIR
                                            (any target's output; wrapped groups are extracted)
  aiwatch rules schema [--out FILE]         print the spec's JSON Schema (for editors)
  aiwatch rules backtest SPEC (--series FILE|DIR | --url URL --start T --end T) [...]
                                            when would each alert have fired? (--help for options)

Targets: ${TARGETS.join(", ")} (default prometheus; only prometheus output comes with
promtool tests, the others carry the same rules in the engine's own form).

Exit codes: 0 ok, 1 errors in the input (or failing checks), 2 usage.
`;
export { BACKTEST_USAGE };

export async function runRulesCommand(args: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== "backtest" && (rest.includes("--help") || rest.includes("-h"))) {
    io.stdout(RULES_USAGE);
    return EXIT.ok;
  }
  switch (sub) {
    case "compile":
      return compileCommand(rest, io, false);
    case "check":
      return compileCommand(rest, io, true);
    case "test":
      return testCommand(rest, io);
    case "schema":
      return schemaCommand(rest, io);
    case "backtest": {
      if (rest.includes("--help") || rest.includes("-h")) {
        io.stdout(BACKTEST_USAGE);
        return EXIT.ok;
      }
      const { values, positionals } = parse(rest, BACKTEST_OPTIONS);
      return backtestCommand(values, positionals, io);
    }
    case "--help":
    case "-h":
    case "help":
      io.stdout(RULES_USAGE);
      return EXIT.ok;
    default:
      throw new UsageError(
        `${sub === undefined ? "missing subcommand" : `unknown subcommand "${sub}"`}\n\n${RULES_USAGE}`,
      );
  }
}

const BACKTEST_OPTIONS = {
  series: { type: "string" },
  url: { type: "string" },
  start: { type: "string" },
  end: { type: "string" },
  monitor: { type: "string", multiple: true },
  labels: { type: "string" },
  grace: { type: "string" },
  step: { type: "string" },
  "bearer-token-file": { type: "string" },
  promtool: { type: "string" },
  prometheus: { type: "string" },
  engine: { type: "string" },
  windows: { type: "string" },
  json: { type: "boolean" },
  format: { type: "string" },
} as const;

function parse(
  args: readonly string[],
  options: Record<string, { type: "string" | "boolean"; multiple?: boolean }>,
) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${RULES_USAGE}`);
  }
}

function compileCommand(args: readonly string[], io: CliIo, check: boolean): number {
  const { values, positionals } = parse(args, {
    out: { type: "string" },
    target: { type: "string" },
  });
  const out = values.out;
  const target = typeof values.target === "string" ? values.target : "prometheus";
  if (!isTarget(target))
    throw new UsageError(
      `unknown --target "${target}" (one of ${TARGETS.join(", ")})\n\n${RULES_USAGE}`,
    );
  if (typeof out !== "string") throw new UsageError(`--out DIR is required\n\n${RULES_USAGE}`);
  if (positionals.length === 0)
    throw new UsageError(`at least one SPEC is required\n\n${RULES_USAGE}`);
  const outDir = resolve(io.cwd, out);
  const { sources, diagnostics } = readSpecSources(positionals, io.cwd, outDir);
  const result = compileSpecs(sources, { target });
  const all = [...diagnostics, ...result.diagnostics];
  if (all.length > 0) io.stderr(formatDiagnostics(all));
  const errors = all.filter((d) => d.severity === "error").length;
  if (errors > 0) {
    io.stderr(`${errors} error${errors === 1 ? "" : "s"}\n`);
    return EXIT.inputErrors;
  }
  return check ? checkOutput(result, outDir, out, io) : writeOutput(result, outDir, out, io);
}

function writeOutput(result: CompileResult, outDir: string, out: string, io: CliIo): number {
  for (const spec of result.specs) {
    const problems = writeGeneratedFiles(outDir, out, spec.files);
    if (problems.length > 0) return reportWriteErrors(problems, io);
    for (const file of spec.files) io.stdout(`wrote ${join(out, file.name)}\n`);
    io.stdout(
      `${spec.model.name}: ${spec.model.monitors.length} monitor${spec.model.monitors.length === 1 ? "" : "s"} compiled\n`,
    );
  }
  return EXIT.ok;
}

const GENERATED_MARK = "# Code generated by aiwatch rulegen";

function checkOutput(result: CompileResult, outDir: string, out: string, io: CliIo): number {
  const files = result.specs.flatMap((spec) => spec.files);
  const check = checkGeneratedFiles(outDir, out, files, {
    names: /\.(rules|test|prometheusrule)\.yml$/,
    isGenerated: (content) => content.startsWith(GENERATED_MARK),
  });
  return reportGeneratedCheck(check, out, "aiwatch rules compile", io);
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

async function testCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { promtool: { type: "string" } });
  const [dir, ...extra] = positionals;
  if (dir === undefined || extra.length > 0)
    throw new UsageError(`exactly one DIR is required\n\n${RULES_USAGE}`);
  const promtool = findPromtool(
    io.env,
    typeof values.promtool === "string" ? values.promtool : undefined,
  );
  if (!promtool) {
    io.stderr(
      "promtool not found: install Debian's prometheus package (scripts/install-deps.sh), set AIWATCH_PROMTOOL or pass --promtool\n",
    );
    return EXIT.inputErrors;
  }
  const absolute = resolve(io.cwd, dir);
  const names = listDir(absolute);
  const ruleFiles = names.filter(isRuleFileName);
  const testFiles = names.filter((n) => n.endsWith(".test.yml"));
  if (ruleFiles.length === 0) {
    io.stderr(
      `${dir}: no *.rules.yml or *.prometheusrule.yml files (run aiwatch rules compile first)\n`,
    );
    return EXIT.inputErrors;
  }
  const staged = stageRuleFiles(absolute, ruleFiles);
  try {
    for (const file of staged.extracted)
      io.stdout(`checking the rule groups embedded in ${file}\n`);
    let failed = false;
    for (const run of await checkAndTestRules(promtool, staged.paths, testFiles, absolute)) {
      io.stdout(`== ${run.step}\n${run.result.stdout}${run.result.stderr}`);
      if (run.result.exitCode !== 0) failed = true;
    }
    return failed ? EXIT.inputErrors : EXIT.ok;
  } finally {
    staged.remove();
  }
}

function schemaCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { out: { type: "string" } });
  if (positionals.length > 0) throw new UsageError(`schema takes no arguments\n\n${RULES_USAGE}`);
  const schema = specJsonSchema();
  if (typeof values.out === "string") {
    const problems = writeTextFile(resolve(io.cwd, values.out), values.out, schema);
    if (problems.length > 0) return Promise.resolve(reportWriteErrors(problems, io));
    io.stdout(`wrote ${values.out}\n`);
  } else io.stdout(schema);
  return Promise.resolve(EXIT.ok);
}

function reportWriteErrors(problems: readonly Diagnostic[], io: CliIo): number {
  io.stderr(formatDiagnostics(problems));
  return EXIT.inputErrors;
}
