import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { ParseArgsConfig } from "node:util";
import { parse as parseYaml } from "yaml";
import type { CliIo } from "../../core/cli/cli-io.js";
import { EXIT, UsageError } from "../../core/cli/cli-io.js";
import { waitForShutdown } from "../../core/cli/wait-for-shutdown.js";
import { parseListenAddress } from "../../core/server/listen.js";
import { runDemo } from "../run-demo.js";
import { runWorkload } from "../workload/run-workload.js";

export const DEMO_USAGE = `Usage:
  aiwatch demo [--work-dir DIR] [--fixtures DIR] [--destinations FILE]
               [--exit-when-done [--linger SECONDS]] [--grace SECONDS]
  aiwatch demo workload --exporter-url URL --ingest-token-file FILE
                        [--inference.listen-address :9402] [--incidents]

Starts Prometheus, Alertmanager, the aiwatch exporter and receiver on 127.0.0.1, feeds
them a training job, an inference service, a data stream and GPU readings replayed from a
real nvidia-smi capture, breaks them on a printed schedule, and prints the messages the
receiver delivers. Ctrl-C stops everything it started.
  --fixtures        the shared captures (default: $AIWATCH_FIXTURES or ../shared/fixtures)
  --destinations    a YAML file with a \`destinations:\` list in receiver.yaml syntax (Slack,
                    Teams, ...; secrets as {env: NAME} or absolute {file: PATH}): the demo's
                    messages go there too, beside the terminal
  --exit-when-done  stop once every incident's message arrived (exit 1 if one is missing)
  --linger          with --exit-when-done, keep everything up this long after the last message
  --grace           with --exit-when-done, give up this long after the last incident (default 90)

\`demo workload\` runs only the simulated workloads, against an exporter elsewhere (the
docker-compose stack's demo-workload service): training runs and a data stream posted to
the exporter's ingest API, and an inference service Prometheus scrapes. --incidents breaks
them once on the demo's schedule (without the GPU incident).
`;

export async function runDemoCommand(args: readonly string[], io: CliIo): Promise<number> {
  if (args[0] === "workload") return workloadCommand(args.slice(1), io);
  const { values } = parseOrUsage(args, {
    "work-dir": { type: "string" },
    fixtures: { type: "string" },
    "exit-when-done": { type: "boolean" },
    grace: { type: "string" },
    linger: { type: "string" },
    destinations: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(DEMO_USAGE);
    return EXIT.ok;
  }
  const linger = Number(values.linger ?? "0");
  if (!Number.isFinite(linger) || linger < 0)
    throw new UsageError(`--linger: expected seconds, got "${values.linger ?? ""}"`);
  const grace = Number(values.grace ?? "90");
  if (!Number.isFinite(grace) || grace <= 0)
    throw new UsageError(`--grace: expected seconds, got "${values.grace ?? ""}"`);
  const workDir = values["work-dir"]
    ? resolve(io.cwd, values["work-dir"])
    : mkdtempSync(join(tmpdir(), "aiwatch-demo-"));
  mkdirSync(workDir, { recursive: true });
  const repoRoot = resolve(new URL("../../..", import.meta.url).pathname);
  const fixturesDir = values.fixtures
    ? resolve(io.cwd, values.fixtures)
    : (io.env["AIWATCH_FIXTURES"] ?? resolve(repoRoot, "..", "shared", "fixtures"));
  let destinations: { name?: unknown }[] | undefined;
  if (values.destinations) {
    const read = readDestinations(resolve(io.cwd, values.destinations));
    if (typeof read === "string") {
      io.stderr(`aiwatch demo: ${values.destinations}: ${read}\n`);
      return EXIT.inputErrors;
    }
    destinations = read;
  }
  let requestStop: () => void = () => undefined;
  const stopRequested = new Promise<void>((done) => (requestStop = done));
  void waitForShutdown({}).then(() => requestStop());
  // `aiwatch demo | head`: once nobody reads, stop everything the demo started.
  void io.outputClosed?.then(() => requestStop());
  try {
    const outcome = await runDemo({
      ...(destinations ? { destinations } : {}),
      workDir,
      fixturesDir,
      exitWhenDone: values["exit-when-done"] ?? false,
      graceSeconds: grace,
      lingerSeconds: linger,
      write: io.stdout,
      random: Math.random,
      stopRequested,
    });
    return values["exit-when-done"] && outcome.missed.length > 0 ? EXIT.inputErrors : EXIT.ok;
  } catch (error) {
    io.stderr(`aiwatch demo: ${(error as Error).message}\n`);
    return EXIT.inputErrors;
  } finally {
    requestStop();
  }
}

async function workloadCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseOrUsage(args, {
    "exporter-url": { type: "string" },
    "ingest-token-file": { type: "string" },
    "inference.listen-address": { type: "string" },
    incidents: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(DEMO_USAGE);
    return EXIT.ok;
  }
  const exporterUrl = values["exporter-url"];
  if (!exporterUrl || !/^https?:\/\//.test(exporterUrl))
    throw new UsageError(`--exporter-url: expected http(s)://host:port\n\n${DEMO_USAGE}`);
  const tokenFile = values["ingest-token-file"];
  if (!tokenFile) throw new UsageError(`--ingest-token-file is required\n\n${DEMO_USAGE}`);
  const address = parseListenAddress(values["inference.listen-address"] ?? ":9402");
  if (!address)
    throw new UsageError(
      `--inference.listen-address: expected [host]:port, got "${values["inference.listen-address"] ?? ""}"`,
    );
  let ingestToken: string;
  try {
    ingestToken = readFileSync(resolve(io.cwd, tokenFile), "utf8").trim();
  } catch (error) {
    io.stderr(
      `aiwatch demo workload: cannot read --ingest-token-file ${tokenFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`,
    );
    return EXIT.inputErrors;
  }
  let requestStop: () => void = () => undefined;
  const stopRequested = new Promise<void>((done) => (requestStop = done));
  void waitForShutdown({}).then(() => requestStop());
  void io.outputClosed?.then(() => requestStop());
  try {
    await runWorkload({
      exporterUrl: exporterUrl.replace(/\/+$/, ""),
      ingestToken,
      inferenceHost: address.host,
      inferencePort: address.port,
      incidents: values.incidents ?? false,
      random: Math.random,
      write: io.stdout,
      stopRequested,
    });
    return EXIT.ok;
  } catch (error) {
    io.stderr(`aiwatch demo workload: ${(error as Error).message}\n`);
    return EXIT.inputErrors;
  } finally {
    requestStop();
  }
}

/** The `destinations:` list of a user's file; the receiver's own loader checks each entry. */
function readDestinations(path: string): { name?: unknown }[] | string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    return `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    return `not YAML: ${(error as Error).message}`;
  }
  const list = (parsed as { destinations?: unknown } | null)?.destinations;
  if (!Array.isArray(list) || list.length === 0)
    return "expected a non-empty `destinations:` list (receiver.yaml syntax)";
  if (!list.every((d): d is { name?: unknown } => typeof d === "object" && d !== null))
    return "every destination must be a mapping with name and type";
  if (list.some((d) => d.name === "terminal"))
    return 'the name "terminal" is the demo\'s own console destination';
  return list;
}

function parseOrUsage<const T extends NonNullable<ParseArgsConfig["options"]>>(
  args: readonly string[],
  options: T,
) {
  try {
    return parseArgs({ args: [...args], options, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${DEMO_USAGE}`);
  }
}
