import type { Logger } from "../../../core/log/logger.js";
import type { CollectorHealth } from "../../process/collector-health.js";
import { checkRecord, describeProblem, describeType } from "../quality/check-records.js";
import type { TailConfig } from "./drift-config.js";
import { JsonLinesTailer } from "./json-lines-tailer.js";
import type { TailedLine, TailerSink } from "./json-lines-tailer.js";
import type { FeatureRecord, ModelMonitor } from "./model-monitor.js";
import { durationMs } from "../../../core/config/zod-fields.js";

const LOGGED_PROBLEMS_PER_READ = 10;

/**
 * Feeds a model from a JSON-lines prediction log. A line that is not a JSON object of
 * scalars (or whose features_field is not one) is skipped, counted as rejected and
 * logged with its file and line; the lines around it are applied.
 */
export function tailRecords(
  config: TailConfig,
  monitor: ModelMonitor,
  health: CollectorHealth,
  logger: Logger,
  now: () => number,
): JsonLinesTailer {
  const sink: TailerSink = {
    lines(lines: readonly TailedLine[]) {
      const records: FeatureRecord[] = [];
      let logged = 0;
      const skip = (
        reason: "invalid_line" | "invalid_record" | "invalid_value",
        line: number,
        message: string,
      ): void => {
        health.rejected(reason);
        if (logged++ < LOGGED_PROBLEMS_PER_READ)
          logger.warn("skipped a line of a tailed file", {
            model: monitor.name,
            file: `${config.path}:${line}`,
            error: message,
          });
      };
      for (const { text, line } of lines) {
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (error) {
          skip("invalid_line", line, `not valid JSON: ${(error as Error).message}`);
          continue;
        }
        let record = value;
        const path: (string | number)[] = [];
        if (config.features_field !== undefined) {
          if (value === null || typeof value !== "object" || Array.isArray(value)) {
            skip("invalid_record", line, `expected a JSON object, got ${describeType(value)}`);
            continue;
          }
          record = (value as Record<string, unknown>)[config.features_field];
          path.push(config.features_field);
        }
        const problem = checkRecord(record, path);
        if (problem) {
          skip(
            problem.reason === "invalid_value" ? "invalid_value" : "invalid_record",
            line,
            describeProblem(problem),
          );
          continue;
        }
        records.push(record as FeatureRecord);
      }
      if (records.length > 0) monitor.ingest(records, now());
    },
    tooLong(line: number) {
      health.rejected("line_too_long");
      logger.warn("skipped a line longer than max_line_bytes", {
        model: monitor.name,
        file: `${config.path}:${line}`,
        max_line_bytes: config.max_line_bytes,
      });
    },
    failed(error: Error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOENT") health.failed(code === "EACCES" ? "permission_denied" : "read_error");
      logger.debug("cannot read tailed file", { file: config.path, error: error.message });
    },
  };
  return new JsonLinesTailer(
    {
      path: config.path,
      from: config.from,
      pollMs: durationMs(config.poll_interval),
      maxLineBytes: config.max_line_bytes,
    },
    sink,
  );
}
