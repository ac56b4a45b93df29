import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createLogger } from "../../core/log/logger.js";
import type { LogLevel } from "../../core/log/logger.js";
import { loadReceiverConfig } from "../../webhook-receiver/config/load-config.js";
import type { ReceiverConfig } from "../../webhook-receiver/config/receiver-config.js";
import type { Enricher } from "../../webhook-receiver/pipeline/enrichment.js";
import { startReceiver } from "../../webhook-receiver/server/receiver-service.js";
import type {
  ReceiverOptions,
  RunningReceiver,
} from "../../webhook-receiver/server/receiver-service.js";
import { formatDiagnostics } from "../../core/diagnostics/format.js";

export const TOKEN = "test-token-0123456789";

export interface Harness {
  readonly receiver: RunningReceiver;
  readonly logs: string[];
  readonly stdout: string[];
  readonly configPath: string;
  post(body: unknown, headers?: Record<string, string>): Promise<Response>;
}

export async function loadConfigText(
  dir: string,
  yaml: string,
  env: Record<string, string> = {},
): Promise<ReceiverConfig> {
  const path = join(dir, "receiver.yaml");
  writeFileSync(path, yaml);
  const loaded = await loadReceiverConfig(path, { env: { RECEIVER_TOKEN: TOKEN, ...env } });
  if (!loaded.ok) throw new Error(formatDiagnostics(loaded.diagnostics));
  return loaded.config;
}

/** An in-process receiver on 127.0.0.1 with the given config text. */
export async function startHarness(
  dir: string,
  yaml: string,
  options: {
    env?: Record<string, string>;
    enricher?: Enricher;
    startWriter?: ReceiverOptions["startWriter"];
    deliveryThread?: boolean;
    /** The logger's threshold (default debug: every record). */
    logLevel?: LogLevel;
    /** Runs after the config was loaded, before the receiver starts. */
    beforeStart?: () => void;
  } = {},
): Promise<Harness> {
  const env = { RECEIVER_TOKEN: TOKEN, ...options.env };
  const config = await loadConfigText(dir, yaml, env);
  // Redacting as the CLI's logger does: with the secrets of the active configuration.
  const lines: string[] = [];
  let active: () => ReceiverConfig = () => config;
  const logger = createLogger({
    component: "webhook-receiver",
    level: options.logLevel ?? "debug",
    write: (line) => lines.push(line),
    now: () => new Date(0),
    secrets: () => active().secretValues,
  });
  const stdout: string[] = [];
  options.beforeStart?.();
  const receiver = await startReceiver({
    config,
    secrets: { env },
    host: "127.0.0.1",
    port: 0,
    logger,
    version: "test",
    stdout: (text) => stdout.push(text),
    pollMs: 100,
    ...(options.enricher ? { enricher: options.enricher } : {}),
    ...(options.startWriter ? { startWriter: options.startWriter } : {}),
    ...(options.deliveryThread ? { deliveryThread: true } : {}),
  });
  active = () => receiver.config();
  return {
    receiver,
    logs: lines,
    stdout,
    configPath: join(dir, "receiver.yaml"),
    post: (body, headers = {}) =>
      fetch(`${receiver.url}/api/v1/alerts`, {
        method: "POST",
        body: typeof body === "string" ? body : JSON.stringify(body),
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${TOKEN}`,
          ...headers,
        },
      }),
  };
}

/**
 * The head of a receiver.yaml: auth from RECEIVER_TOKEN and a database in `dir`, or the
 * given `storage:` section.
 */
export function configHead(dir: string, extra = "", storage?: string): string {
  return `web:
  auth:
    bearer_tokens: [{ env: RECEIVER_TOKEN }]
${
  storage ??
  `storage:
  path: ${join(dir, "receiver.db")}
  synchronous: normal
`
}${extra}`;
}

/**
 * A receiver.yaml with one generic webhook, `inhouse`, whose URL and Authorization header
 * come from the environment, and quick retries.
 */
export function webhookConfig(
  dir: string,
  options: { urlVariable?: string; destinationExtra?: string; storage?: string } = {},
): string {
  return `${configHead(dir, "", options.storage)}delivery:
  timeout: 5s
  initial_backoff: 50ms
  max_backoff: 200ms
destinations:
  - name: inhouse
    type: webhook
    url: { env: ${options.urlVariable ?? "WEBHOOK_URL"} }
    headers: { Authorization: { env: WEBHOOK_AUTH } }${options.destinationExtra ?? ""}
default_route:
  destinations: [inhouse]
`;
}
