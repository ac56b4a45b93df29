import type { AlertingRule, RecordingRule, RuleFilePlan } from "../plan/rule-plan.js";
import { MONITOR_LABEL } from "../../spec/model/naming.js";
import { recordingsOf, referencedRecordings } from "./inline-recordings.js";

export interface LevelledRecording {
  readonly rule: RecordingRule;
  /** The interval of the group it belongs to: how often it is evaluated. */
  readonly intervalMs: number;
}

export interface LevelledAlert {
  readonly rule: AlertingRule;
  readonly intervalMs: number;
}

export type RuleLevels =
  | {
      readonly ok: true;
      /** Recordings that read only raw series first, then those that read them, and so on. */
      readonly levels: readonly (readonly LevelledRecording[])[];
      readonly alerts: readonly LevelledAlert[];
    }
  | { readonly ok: false; readonly cycle: readonly string[] };

/**
 * The recordings of some monitors in the order they can be computed over history, one
 * level at a time, each at its own group's interval: exact when no recording reads
 * itself or another that reads it (robust's MAD, for one, reads deviations from its own
 * median), which is returned as a cycle.
 */
export function ruleLevels(plan: RuleFilePlan, monitors: ReadonlySet<string>): RuleLevels {
  const recordings = recordingsOf(plan);
  const byKey = new Map<string, LevelledRecording>();
  const alerts: LevelledAlert[] = [];
  for (const group of plan.groups)
    for (const rule of group.rules) {
      if (!monitors.has(rule.labels[MONITOR_LABEL] ?? "")) continue;
      if (rule.kind === "alert") alerts.push({ rule, intervalMs: group.intervalMs });
      else
        byKey.set(`${rule.record}|${rule.labels[MONITOR_LABEL] ?? ""}`, {
          rule,
          intervalMs: group.intervalMs,
        });
    }
  const depth = new Map<string, number>();
  const visiting: string[] = [];
  let cycle: string[] | undefined;
  const levelOf = (key: string): number => {
    const known = depth.get(key);
    if (known !== undefined) return known;
    if (visiting.includes(key)) {
      cycle ??= [...visiting.slice(visiting.indexOf(key)), key];
      return 0;
    }
    visiting.push(key);
    let level = 0;
    const entry = byKey.get(key);
    if (entry)
      for (const dep of referencedRecordings(entry.rule.expr, recordings))
        if (byKey.has(dep)) level = Math.max(level, levelOf(dep) + 1);
    visiting.pop();
    depth.set(key, level);
    return level;
  };
  // Recordings the alerts read, and everything they read in turn.
  for (const key of byKey.keys()) levelOf(key);
  if (cycle) return { ok: false, cycle: cycle.map((k) => k.replace(/\|.*$/, "")) };
  const levels: LevelledRecording[][] = [];
  for (const [key, level] of depth) {
    const entry = byKey.get(key);
    if (entry) (levels[level] ??= []).push(entry);
  }
  return { ok: true, levels: levels.filter((l) => l.length > 0), alerts };
}
