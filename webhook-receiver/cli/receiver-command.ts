import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { CliIo } from "../../core/cli/cli-io.js";
import { EXIT, UsageError } from "../../core/cli/cli-io.js";
import { readPackageVersion } from "../../core/cli/package-version.js";
import type { SecretSource } from "../../core/config/secret.js";
import { formatDiagnostics } from "../../core/diagnostics/format.js";
import { jsonSyntaxError } from "../../core/diagnostics/json-syntax-error.js";
import { parseDuration } from "../../core/duration.js";
import { createLogger } from "../../core/log/logger.js";
import { redact } from "../../core/log/redaction.js";
import {
  loadWebConfigFlag,
  readServerFlags,
  SERVER_OPTIONS,
  serverFlagsHelp,
} from "../../core/cli/server-flags.js";
import { waitForShutdown } from "../../core/cli/wait-for-shutdown.js";
import { loadReceiverConfig } from "../config/load-config.js";
import type { ReceiverConfig } from "../config/receiver-config.js";
import type { Destination } from "../destinations/destination.js";
import { makeDestination } from "../destinations/make-destination.js";
import { parseWebhookPayload } from "../payload/parse-payload.js";
import { previewNotification } from "../render/preview.js";
import { computeAlertReport } from "../report/alert-report.js";
import { formatAlertReport } from "../report/format-report.js";
import { startReceiver } from "../server/receiver-service.js";
import type { RunningReceiver } from "../server/receiver-service.js";
import { inThreadWriter } from "../store/inbox-writer.js";
import { openReceiverStore } from "../store/open-store.js";

export const RECEIVER_USAGE = `Usage:
  aiwatch receiver --config.file FILE [server flags]
      run the webhook receiver (SIGHUP or POST /-/reload re-reads FILE)
  aiwatch receiver preview PAYLOAD.json --config.file FILE [--now TIME]
      print what each routed destination would receive, without sending
  aiwatch receiver report --config.file FILE [--since 7d] [--json]
      alert report: counts by alert and severity, noisiest, flapping, time to resolve
  aiwatch receiver dead-letters --config.file FILE [--destination NAME]
      list deliveries that could not be delivered
  aiwatch receiver replay --config.file FILE (--all | --id N... | --destination NAME)
      put dead letters back in the outbox (a running receiver sends them)
  aiwatch receiver actions --config.file FILE [--since 7d] [--json]
      the automated actions history: what ran, in which mode, and what it answered
  aiwatch receiver check --config.file FILE
      validate FILE and exit

Server flags:
${serverFlagsHelp(":9095")}
--config is accepted as an alias of --config.file. Exit codes: 0 ok, 1 errors, 2 usage.
`;

const DEFAULT_PORT = 9095;

export async function runReceiverCommand(args: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = args;
  switch (first) {
    case "preview":
      return previewCommand(rest, io);
    case "report":
      return reportCommand(rest, io);
    case "dead-letters":
      return deadLettersCommand(rest, io);
    case "replay":
      return replayCommand(rest, io);
    case "actions":
      return actionsCommand(rest, io);
    case "check":
      return checkCommand(rest, io);
    case "run":
      return runCommand(rest, io);
    case "--help":
    case "-h":
    case "help":
      io.stdout(RECEIVER_USAGE);
      return EXIT.ok;
    default:
      if (first !== undefined && !first.startsWith("-"))
        throw new UsageError(`unknown subcommand "${first}"\n\n${RECEIVER_USAGE}`);
      return runCommand(args, io);
  }
}

type OptionSpec = Record<string, { type: "string" | "boolean"; multiple?: boolean }>;

type ParsedValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

function parse(
  args: readonly string[],
  extra: OptionSpec = {},
): { values: ParsedValues; positionals: string[] } {
  try {
    return parseArgs({
      args: [...args],
      options: { "config.file": { type: "string" }, config: { type: "string" }, ...extra },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${RECEIVER_USAGE}`);
  }
}

function str(values: ParsedValues, key: string): string | undefined {
  const value = values[key];
  return typeof value === "string" ? value : undefined;
}

function configPath(values: ParsedValues, io: CliIo): string {
  const file = values["config.file"] ?? values["config"];
  if (typeof file !== "string")
    throw new UsageError(`--config.file FILE is required\n\n${RECEIVER_USAGE}`);
  return resolve(io.cwd, file);
}

async function loadOrReport(
  path: string,
  io: CliIo,
  secrets: SecretSource,
): Promise<ReceiverConfig | undefined> {
  const loaded = await loadReceiverConfig(path, secrets);
  if (loaded.ok) return loaded.config;
  io.stderr(formatDiagnostics(loaded.diagnostics));
  return undefined;
}

async function runCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, SERVER_OPTIONS);
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument "${positionals[0]}"\n\n${RECEIVER_USAGE}`);
  const flags = readServerFlags(values, io.cwd);
  const address = flags.listen ?? { host: "0.0.0.0", port: DEFAULT_PORT };
  const secrets: SecretSource = { env: io.env };
  const web = loadWebConfigFlag(flags, io);
  if (!web.ok) return EXIT.inputErrors;
  const config = await loadOrReport(configPath(values, io), io, secrets);
  if (!config) return EXIT.inputErrors;
  // The secrets to redact follow the active configuration (reloads may rotate them).
  let active: () => ReceiverConfig = () => config;
  const logger = createLogger({
    component: "webhook-receiver",
    ...(flags.logLevel !== undefined ? { level: flags.logLevel } : {}),
    format: flags.logFormat,
    write: io.stderr,
    secrets: () => active().secretValues,
  });
  let receiver: RunningReceiver;
  try {
    receiver = await startReceiver({
      config,
      secrets,
      host: address.host,
      port: address.port,
      logger,
      version: readPackageVersion(),
      stdout: io.stdout,
      deliveryThread: true,
      ...(web.config ? { webConfig: web.config } : {}),
    });
  } catch (error) {
    io.stderr(`aiwatch receiver: cannot start: ${(error as Error).message}\n`);
    return EXIT.inputErrors;
  }
  const running = receiver;
  active = () => running.config();
  await waitForShutdown({ onReload: () => void receiver.reload() });
  logger.info("shutting down");
  await receiver.stop();
  return EXIT.ok;
}

/**
 * The preview needs no live secrets: a secret that does not resolve becomes a placeholder
 * URL, since nothing is sent.
 */
function previewSecrets(io: CliIo): SecretSource {
  return {
    env: new Proxy(io.env, {
      get: (target, key: string) => target[key] || `https://placeholder.invalid/${key}`,
    }),
    readFile: (path) => {
      try {
        return readFileSync(path, "utf8");
      } catch {
        return `https://placeholder.invalid${path}`;
      }
    },
  };
}

async function previewCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { now: { type: "string" } });
  const [payloadFile, ...extra] = positionals;
  if (payloadFile === undefined || extra.length > 0)
    throw new UsageError(`exactly one PAYLOAD file is required\n\n${RECEIVER_USAGE}`);
  const nowText = str(values, "now");
  const now = nowText !== undefined ? new Date(nowText) : new Date();
  if (Number.isNaN(now.getTime()))
    throw new UsageError(`--now: expected an RFC 3339 time, got "${nowText ?? ""}"`);
  const config = await loadOrReport(configPath(values, io), io, previewSecrets(io));
  if (!config) return EXIT.inputErrors;
  let text: string;
  let body: unknown;
  try {
    text = readFileSync(resolve(io.cwd, payloadFile), "utf8");
  } catch (error) {
    io.stderr(`${payloadFile}: ${(error as Error).message}\n`);
    return EXIT.inputErrors;
  }
  try {
    body = JSON.parse(text);
  } catch (error) {
    const { message, position } = jsonSyntaxError(text, error);
    io.stderr(
      formatDiagnostics([
        {
          code: "invalid-json",
          severity: "error",
          message: `not valid JSON: ${message}`,
          file: payloadFile,
          ...(position ? { position } : {}),
        },
      ]),
    );
    return EXIT.inputErrors;
  }
  const parsed = parseWebhookPayload(body, payloadFile);
  if (!parsed.ok) {
    io.stderr(formatDiagnostics(parsed.diagnostics));
    return EXIT.inputErrors;
  }
  const destinations = new Map<string, Destination>(
    config.destinations.map((d) => [
      d.name,
      makeDestination(d, {
        http: () => Promise.reject(new Error("preview never sends")),
        stdout: () => undefined,
      }),
    ]),
  );
  const entries = previewNotification(parsed.notification, config, destinations, now);
  for (const entry of entries) {
    io.stdout(
      `== ${entry.destination} (${entry.type}) via ${entry.route}${entry.trimmed ? `, trimmed, ${entry.omitted} alert${entry.omitted === 1 ? "" : "s"} not shown` : ""}\n`,
    );
    for (const request of entry.requests)
      io.stdout(
        redact(
          typeof request === "string" ? request : JSON.stringify(request, null, 2) + "\n",
          config.secretValues,
        ),
      );
  }
  if (entries.length === 0) io.stdout("no destination matches this notification\n");
  return EXIT.ok;
}

async function openStores(values: ParsedValues, io: CliIo) {
  const config = await loadOrReport(configPath(values, io), io, previewSecrets(io));
  if (!config) return undefined;
  // The CLI's writes are rare: on the event loop, without the writer thread.
  const store = await openReceiverStore(config.storage, (_path, _sync, db) => inThreadWriter(db));
  return { config, store };
}

async function reportCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parse(args, { since: { type: "string" }, json: { type: "boolean" } });
  const sinceText = str(values, "since") ?? "7d";
  const since = parseDuration(sinceText);
  if (since === undefined)
    throw new UsageError(`--since: expected a duration such as 7d, got "${sinceText}"`);
  const stores = await openStores(values, io);
  if (!stores) return EXIT.inputErrors;
  try {
    const to = Date.now();
    const report = computeAlertReport(await stores.store.history(to - since), to - since, to);
    io.stdout(
      values["json"] === true ? JSON.stringify(report, null, 2) + "\n" : formatAlertReport(report),
    );
  } finally {
    await stores.store.close();
  }
  return EXIT.ok;
}

async function deadLettersCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parse(args, { destination: { type: "string" } });
  const stores = await openStores(values, io);
  if (!stores) return EXIT.inputErrors;
  try {
    const dead = await stores.store.deadLetters(str(values, "destination"));
    for (const d of dead)
      io.stdout(
        `${d.id}\t${d.destination}\t${new Date(d.finishedAt).toISOString()}\t${d.attempts} attempts\t${d.groupKey}\t${redact(d.lastError, stores.config.secretValues)}\n`,
      );
    io.stdout(`${dead.length} dead letter${dead.length === 1 ? "" : "s"}\n`);
  } finally {
    await stores.store.close();
  }
  return EXIT.ok;
}

async function replayCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parse(args, {
    id: { type: "string", multiple: true },
    destination: { type: "string" },
    all: { type: "boolean" },
  });
  const rawIds = values["id"];
  const ids = (Array.isArray(rawIds) ? rawIds : []).map((value) => {
    const text = String(value);
    if (!/^\d+$/.test(text)) throw new UsageError(`--id: expected a delivery id, got "${text}"`);
    return Number(text);
  });
  const destination = str(values, "destination");
  if (values["all"] !== true && ids.length === 0 && destination === undefined)
    throw new UsageError(
      `say what to replay: --all, --id N or --destination NAME\n\n${RECEIVER_USAGE}`,
    );
  const stores = await openStores(values, io);
  if (!stores) return EXIT.inputErrors;
  try {
    const count = await stores.store.replay(
      { ...(ids.length > 0 ? { ids } : {}), ...(destination !== undefined ? { destination } : {}) },
      Date.now(),
    );
    io.stdout(`${count} dead letter${count === 1 ? "" : "s"} put back in the outbox\n`);
  } finally {
    await stores.store.close();
  }
  return EXIT.ok;
}

async function actionsCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parse(args, { since: { type: "string" }, json: { type: "boolean" } });
  const sinceText = str(values, "since") ?? "7d";
  const since = parseDuration(sinceText);
  if (since === undefined)
    throw new UsageError(`--since: expected a duration such as 7d, got "${sinceText}"`);
  const stores = await openStores(values, io);
  if (!stores) return EXIT.inputErrors;
  try {
    const records = await stores.store.actions.since(Date.now() - since);
    if (values["json"] === true) io.stdout(JSON.stringify(records, null, 2) + "\n");
    else {
      for (const r of records)
        io.stdout(
          `${new Date(r.at).toISOString()}\t${r.action}\t${r.mode}\t${r.result}\t${r.method} ${r.target}\t${r.groupKey}\t${redact(r.detail ?? "", stores.config.secretValues)}${r.durationMs !== null ? ` (${Math.round(r.durationMs)} ms)` : ""}\n`,
        );
      io.stdout(
        `${records.length} action${records.length === 1 ? "" : "s"} since ${sinceText} ago\n`,
      );
    }
  } finally {
    await stores.store.close();
  }
  return EXIT.ok;
}

async function checkCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parse(args);
  const config = await loadOrReport(configPath(values, io), io, { env: io.env });
  if (!config) return EXIT.inputErrors;
  const actions = [...config.routes, config.defaultRoute].flatMap((r) => r.actions).length;
  const analysis = config.analysis
    ? `, root-cause analysis with ${config.analysis.spec ? `${config.analysis.spec.monitors.size} monitors` : "no spec (generic enrichment only)"}`
    : "";
  io.stdout(
    `${config.file}: ok (${config.destinations.length} destinations, ${config.routes.length} routes${analysis}, ${actions} actions, actions mode ${config.actions.mode})\n`,
  );
  return EXIT.ok;
}
