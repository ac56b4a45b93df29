import { errorReplacer } from "./error-replacer.js";
import { formatLogfmt } from "./logfmt.js";
import { redact } from "./redaction.js";

/**
 * Structured logs, one record per line, in logfmt (Prometheus's default) or JSON, with
 * secrets redacted (redaction.ts): every secret value the config resolved, and the parts
 * of it that travel alone (a URL's userinfo and query values, a header's credential), is
 * replaced by `<redacted>`, so a token in a webhook URL or an error message never reaches
 * the log.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFormat = "logfmt" | "json";

export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];
export const LOG_FORMATS: readonly LogFormat[] = ["logfmt", "json"];

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** Whether a record of `level` is written: a caller can skip building what it would drop. */
  enabled(level: LogLevel): boolean;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Whether a logger at `threshold` writes a record of `level`. */
export function levelEnabled(threshold: LogLevel, level: LogLevel): boolean {
  return ORDER[level] >= ORDER[threshold];
}

export interface LoggerOptions {
  readonly level?: LogLevel;
  /** Default json: what embedding code and tests read; the CLI defaults to logfmt. */
  readonly format?: LogFormat;
  readonly component: string;
  readonly write?: (line: string) => void;
  readonly now?: () => Date;
  /** Returns the secret values to redact right now (they change on config reload). */
  readonly secrets?: () => readonly string[];
}

export function createLogger(options: LoggerOptions): Logger {
  const threshold = options.level ?? "info";
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const now = options.now ?? (() => new Date());
  const render = options.format === "logfmt" ? formatLogfmt : formatJson;
  const log = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (!levelEnabled(threshold, level)) return;
    const record = {
      ts: now().toISOString(),
      level,
      component: options.component,
      msg: message,
      ...fields,
    };
    write(redact(render(record), options.secrets?.() ?? []) + "\n");
  };
  return {
    debug: (m, f) => log("debug", m, f),
    info: (m, f) => log("info", m, f),
    warn: (m, f) => log("warn", m, f),
    error: (m, f) => log("error", m, f),
    enabled: (level) => levelEnabled(threshold, level),
  };
}

function formatJson(record: Record<string, unknown>): string {
  return JSON.stringify(record, errorReplacer);
}

/** A logger that records lines, for tests. */
export function memoryLogger(component = "test"): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({
    component,
    level: "debug",
    write: (line) => lines.push(line),
    now: () => new Date(0),
  });
  return Object.assign(logger, { lines });
}
