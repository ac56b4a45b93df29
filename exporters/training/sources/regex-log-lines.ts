import type { TrainingRecord } from "../model/training-record.js";
import { parseLoggedNumber } from "./logged-number.js";

/** Group names that are not metrics. */
const RESERVED = new Set(["step", "max_steps", "timestamp", "phase", "metric", "value"]);

export interface RegexLine {
  readonly record: TrainingRecord;
  readonly problems: readonly string[];
}

/**
 * Reads any line-oriented log through the user's regular expressions with named groups:
 * `step` (the optimizer step; `iteration` counts as it), `max_steps`, `timestamp` (RFC
 * 3339, or Unix seconds), `phase` (prefixed to every metric name: phase `val` and group
 * `loss` make `val_loss`), `metric` and `value` (one metric named by the line), and any
 * other group, a metric of that name. A group named `<name>_ms` is a duration in
 * milliseconds, kept as `<name>_seconds`. The first pattern that matches a line wins;
 * lines no pattern matches are not the trainer's and are skipped.
 */
export class RegexLogParser {
  constructor(
    private readonly patterns: readonly RegExp[],
    private readonly runId: string,
    private readonly jobName: string,
  ) {}

  line(text: string): RegexLine | undefined {
    for (const pattern of this.patterns) {
      const groups = pattern.exec(text)?.groups;
      if (groups) return this.record(groups);
    }
    return undefined;
  }

  private record(groups: Readonly<Record<string, string | undefined>>): RegexLine {
    const problems: string[] = [];
    const number = (name: string): number | undefined => {
      const raw = groups[name];
      if (raw === undefined || raw === "") return undefined;
      const parsed = parseLoggedNumber(raw);
      if (parsed === undefined)
        problems.push(`${name}: expected a number, got ${JSON.stringify(raw)}`);
      return parsed?.value;
    };
    const count = (name: string): number | undefined => {
      const value = number(name);
      if (value === undefined) return undefined;
      if (Number.isInteger(value) && value >= 0) return value;
      problems.push(`${name}: expected a whole number >= 0, got ${value}`);
      return undefined;
    };
    const phase = groups["phase"]?.trim();
    const prefix = phase ? `${phase}_` : "";
    const metrics = Object.create(null) as Record<string, number>;
    for (const name of Object.keys(groups)) {
      if (RESERVED.has(name) || name === "iteration") continue;
      const value = number(name);
      if (value === undefined) continue;
      const key = name.endsWith("_ms") ? `${name.slice(0, -3)}_seconds` : name;
      metrics[prefix + key] = name.endsWith("_ms") ? value / 1000 : value;
    }
    const metric = groups["metric"]?.trim();
    if (metric) {
      const value = number("value");
      if (value !== undefined) metrics[prefix + metric] = value;
    }
    return {
      record: {
        runId: this.runId,
        jobName: this.jobName,
        step: count("step") ?? count("iteration"),
        maxSteps: count("max_steps"),
        timestampSeconds: timestamp(groups["timestamp"], problems),
        metrics,
      },
      problems,
    };
  }
}

function timestamp(raw: string | undefined, problems: string[]): number | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const text = raw.trim();
  // A time without a zone is read as UTC, whatever the machine's zone.
  const zoned = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}([.,]\d+)?)?$/.test(text)
    ? `${text.replace(" ", "T").replace(",", ".")}Z`
    : text;
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Date.parse(zoned) / 1000;
  if (Number.isFinite(seconds)) return seconds;
  problems.push(`timestamp: expected RFC 3339 or Unix seconds, got ${JSON.stringify(text)}`);
  return undefined;
}
