import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { CliIo } from "../../cli/cli-io.js";
import { EXIT, UsageError } from "../../cli/cli-io.js";
import { waitForShutdown } from "../../cli/wait-for-shutdown.js";
import { runDemo } from "../run-demo.js";

export const DEMO_USAGE = `Usage:
  aiwatch demo [--work-dir DIR] [--fixtures DIR] [--exit-when-done] [--grace SECONDS]

Starts Prometheus, Alertmanager, the aiwatch exporter and receiver on 127.0.0.1, feeds
them a training job, an inference service, a data stream and GPU readings replayed from a
real nvidia-smi capture, breaks them on a printed schedule, and prints the messages the
receiver delivers. Ctrl-C stops everything it started.
  --fixtures        the shared captures (default: $AIWATCH_FIXTURES or ../shared/fixtures)
  --exit-when-done  stop once every incident's message arrived (exit 1 if one is missing)
`;

export async function runDemoCommand(args: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        "work-dir": { type: "string" },
        fixtures: { type: "string" },
        "exit-when-done": { type: "boolean" },
        grace: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${DEMO_USAGE}`);
  }
  const { values } = parsed;
  if (values.help) {
    io.stdout(DEMO_USAGE);
    return EXIT.ok;
  }
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
  let requestStop: () => void = () => undefined;
  const stopRequested = new Promise<void>((done) => (requestStop = done));
  void waitForShutdown({}).then(() => requestStop());
  try {
    const outcome = await runDemo({
      workDir,
      fixturesDir,
      exitWhenDone: values["exit-when-done"] ?? false,
      graceSeconds: grace,
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
