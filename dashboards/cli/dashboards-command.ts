import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { CliIo } from "../../core/cli/cli-io.js";
import { EXIT, UsageError } from "../../core/cli/cli-io.js";
import { reportGeneratedCheck } from "../../core/cli/report-generated-check.js";
import { readSpecSources } from "../../spec/load/read-spec-sources.js";
import { formatDiagnostics } from "../../core/diagnostics/format.js";
import { checkGeneratedFiles, writeGeneratedFiles } from "../../core/generated-files.js";
import { buildDashboards, DASHBOARD_MARK } from "../build-dashboards.js";

export const DASHBOARDS_USAGE = `Usage:
  aiwatch dashboards build SPEC... --out DIR [--prometheus-url URL] [--dashboards-path PATH]
  aiwatch dashboards check SPEC... --out DIR [...same options]   exit 1 with a diff when DIR is out of date

Writes DIR/dashboards/<uid>.json (overview, training, inference, data, GPUs per spec) and
Grafana provisioning files DIR/provisioning/{dashboards,datasources}/aiwatch.yaml.
  --prometheus-url   the Prometheus URL as Grafana reaches it (default http://prometheus:9090)
  --dashboards-path  where Grafana reads the JSON files (default /var/lib/grafana/dashboards/aiwatch)
Exit codes: 0 ok, 1 errors in the input or out-of-date files, 2 usage.
`;

export async function runDashboardsCommand(args: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (
    sub === "--help" ||
    sub === "-h" ||
    sub === "help" ||
    rest.includes("--help") ||
    rest.includes("-h")
  ) {
    io.stdout(DASHBOARDS_USAGE);
    return EXIT.ok;
  }
  if (sub !== "build" && sub !== "check")
    throw new UsageError(
      `${sub === undefined ? "missing subcommand" : `unknown subcommand "${sub}"`}\n\n${DASHBOARDS_USAGE}`,
    );
  let parsed;
  try {
    parsed = parseArgs({
      args: [...rest],
      options: {
        out: { type: "string" },
        "prometheus-url": { type: "string" },
        "dashboards-path": { type: "string" },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${DASHBOARDS_USAGE}`);
  }
  const { values, positionals } = parsed;
  if (!values.out) throw new UsageError(`--out DIR is required\n\n${DASHBOARDS_USAGE}`);
  if (positionals.length === 0)
    throw new UsageError(`at least one SPEC is required\n\n${DASHBOARDS_USAGE}`);
  const outDir = resolve(io.cwd, values.out);
  const { sources, diagnostics } = readSpecSources(positionals, io.cwd, outDir);
  const built = buildDashboards(sources, {
    prometheusUrl: values["prometheus-url"] ?? "http://prometheus:9090",
    dashboardsPath: values["dashboards-path"] ?? "/var/lib/grafana/dashboards/aiwatch",
  });
  const all = [...diagnostics, ...built.diagnostics];
  if (all.length > 0) {
    io.stderr(formatDiagnostics(all));
    return Promise.resolve(EXIT.inputErrors);
  }
  if (sub === "build") {
    const problems = writeGeneratedFiles(outDir, values.out, built.files);
    if (problems.length > 0) {
      io.stderr(formatDiagnostics(problems));
      return EXIT.inputErrors;
    }
    io.stdout(`wrote ${built.dashboards} dashboards and 2 provisioning files to ${values.out}\n`);
    return EXIT.ok;
  }
  const check = checkGeneratedFiles(outDir, values.out, built.files, {
    names: /\.(json|yaml)$/,
    isGenerated: (content) => content.includes(DASHBOARD_MARK),
  });
  return reportGeneratedCheck(check, values.out, "aiwatch dashboards build", io);
}
