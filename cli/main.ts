import { runDashboardsCommand } from "../dashboards/cli/dashboards-command.js";
import { runDemoCommand } from "../demo/cli/demo-command.js";
import { runExporterCommand } from "../exporters/cli/exporter-command.js";
import { runDriftCommand } from "../exporters/drift/cli/drift-command.js";
import { runTrainingCommand } from "./training/training-command.js";
import { runRulesCommand } from "../rulegen/cli/rules-command.js";
import { runReceiverCommand } from "../webhook-receiver/cli/receiver-command.js";
import { readPackageVersion } from "../core/cli/package-version.js";
import type { CliIo, Command } from "../core/cli/cli-io.js";
import { EXIT, UsageError } from "../core/cli/cli-io.js";
import { ListenError } from "../core/server/listen.js";

/** One entry per part: `aiwatch <part> ...`. */
const COMMANDS: Readonly<Record<string, { readonly run: Command; readonly summary: string }>> = {
  rules: {
    run: runRulesCommand,
    summary: "compile, check and test Prometheus rules from an aiwatch spec",
  },
  exporter: {
    run: runExporterCommand,
    summary: "serve AI workload metrics (training, inference, data, GPUs) to Prometheus",
  },
  drift: {
    run: runDriftCommand,
    summary: "build reference profiles for data drift, and score data against them",
  },
  training: {
    run: runTrainingCommand,
    summary:
      "replay a training log through the collector and the rules: which alerts, at which steps",
  },
  dashboards: {
    run: runDashboardsCommand,
    summary: "generate Grafana dashboards and provisioning from an aiwatch spec",
  },
  demo: {
    run: runDemoCommand,
    summary: "run the whole stack on 127.0.0.1 with simulated workloads and injected incidents",
  },
  receiver: {
    run: runReceiverCommand,
    summary: "receive Alertmanager webhooks and deliver them to chat, durably",
  },
};

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)}${c.summary}`);
  return [
    "Usage: aiwatch <command> [arguments]",
    "",
    "Commands:",
    ...lines,
    "",
    "Run `aiwatch <command> --help` for a command's usage.",
    "",
  ].join("\n");
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? io.stderr : io.stdout)(usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === "--version" || name === "version") {
    io.stdout(`aiwatch ${readPackageVersion()}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`aiwatch: unknown command "${name}"\n\n${usage()}`);
    return EXIT.usage;
  }
  if (asksForVersion(rest)) {
    io.stdout(`aiwatch ${readPackageVersion()}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`aiwatch ${name}: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof ListenError) {
      io.stderr(`aiwatch ${name}: ${error.message}\n`);
      return EXIT.inputErrors;
    }
    throw error;
  }
}

/**
 * `--version` is every subcommand's flag, as with Prometheus's tools: it wins over the
 * rest of the line (`aiwatch exporter --config.file x --version`). Arguments after `--`
 * are operands, not flags.
 */
function asksForVersion(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return (end < 0 ? args : args.slice(0, end)).includes("--version");
}
