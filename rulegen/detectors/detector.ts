import type { Monitor, Settings } from "../model/monitor.js";
import type { RecordingRule } from "../plan/rule-plan.js";
import type { TestScenario } from "../testgen/scenario.js";
import type { RulegenCode } from "../diagnostics/codes.js";
import type { DetectorParams } from "./detector-params.js";

/** A problem a detector finds in a monitor; `path` is relative to the monitor. */
export interface DetectorProblem {
  readonly code: RulegenCode;
  readonly message: string;
  readonly path: readonly (string | number)[];
}

export interface DetectorRulePlan {
  /** The alert condition; its value is what `$value` shows. */
  readonly alertExpr: string;
  /** Recordings evaluated just before the alert, at the evaluation interval. */
  readonly recordings: readonly RecordingRule[];
  /** Long-window statistics, evaluated by a slower group and read with last_over_time. */
  readonly baseline?: { readonly intervalMs: number; readonly rules: readonly RecordingRule[] };
}

export interface DefaultAnnotations {
  readonly summary: string;
  readonly description: string;
}

/**
 * Everything one detector knows. Adding a detector is adding a folder with one of these
 * and registering it; nothing else in the generator changes.
 */
export interface DetectorDefinition<P extends DetectorParams = DetectorParams> {
  readonly type: P["type"];
  /** `for` when the monitor sets none. */
  defaultForMs(settings: Settings): number;
  /** Checks the schema cannot express (signal shape, parameter relations). */
  check(monitor: Monitor<P>, settings: Settings): readonly DetectorProblem[];
  planRules(monitor: Monitor<P>, settings: Settings): DetectorRulePlan;
  planTests(monitor: Monitor<P>, settings: Settings): readonly TestScenario[];
  defaultAnnotations(monitor: Monitor<P>, settings: Settings): DefaultAnnotations;
}
