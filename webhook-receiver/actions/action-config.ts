import type { Layer } from "../../spec/model/monitor.js";
import type { VerdictLayer } from "../evidence/scoring.js";
import type { Matcher } from "../routing/matcher.js";
import type { ActionBodyTemplate } from "./action-body.js";

/** `off` (the default): nothing is evaluated. `dry_run`: decided and logged, never called. */
export type ActionsMode = "off" | "dry_run" | "live";

export interface ActionsSettings {
  readonly mode: ActionsMode;
  /** An action runs at most once per alert group within this. */
  readonly cooldownMs: number;
}

export interface ActionCondition {
  /** Any of these verdicts (the analysis must have reached one). */
  readonly verdicts?: readonly VerdictLayer[];
  readonly minConfidence?: number;
  /** Any of these values of the alert's `layer` label. */
  readonly layers?: readonly Layer[];
  /** On the group's labels and those its alerts share, as routes match. */
  readonly matchers: readonly Matcher[];
}

export const ACTION_METHODS = ["POST", "PUT", "PATCH"] as const;
export type ActionMethod = (typeof ACTION_METHODS)[number];

/** One automated operation of a route: an HTTP call to a configured endpoint. */
export interface ActionConfig {
  readonly name: string;
  readonly routeId: string;
  readonly when: ActionCondition;
  readonly method: ActionMethod;
  readonly url: string;
  /** Resolved headers (secrets included). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: ActionBodyTemplate;
  /** This action only ever logs, even when the receiver's mode is `live`. */
  readonly dryRun: boolean;
  readonly rateLimit: { readonly max: number; readonly perMs: number };
  readonly timeoutMs: number;
}

/** What happened to an action for one alert group (`pending`: a live call in flight). */
export type ActionResult =
  "called" | "failed" | "dry_run" | "rate_limited" | "cooldown" | "pending";

export interface ActionOutcome {
  readonly action: string;
  readonly route: string;
  readonly mode: "live" | "dry_run";
  readonly result: ActionResult;
  readonly method: ActionMethod;
  /** Host and path called (never the query string, which may hold a token). */
  readonly target: string;
  readonly status?: number;
  readonly detail: string;
  readonly at: number;
  readonly durationMs?: number;
}
