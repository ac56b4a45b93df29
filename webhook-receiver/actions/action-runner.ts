import axios from "axios";
import type { Logger } from "../../core/log/logger.js";
import { transportReason } from "../evidence/http-endpoint.js";
import type { Verdict } from "../evidence/scoring.js";
import type { Alert, Notification } from "../payload/notification.js";
import type { ActionBodyContext } from "./action-body.js";
import type { ActionConfig, ActionOutcome, ActionsSettings } from "./action-config.js";
import type { ActionMetrics } from "./action-metrics.js";
import type { ActionHistory } from "../store/receiver-store.js";
import { actionApplies } from "./match-action.js";

export interface ActionRequest {
  readonly notificationId: number | undefined;
  readonly notification: Notification;
  /** The alert the analysis explained (the group's earliest firing one). */
  readonly primary: Alert | undefined;
  /** Actions of the routes the notification takes. */
  readonly actions: readonly ActionConfig[];
  readonly verdict: Verdict | undefined;
  readonly headline: string | undefined;
}

export interface ActionRunnerDeps {
  readonly store: ActionHistory;
  readonly metrics: ActionMetrics;
  readonly logger: Logger;
  readonly now: () => number;
  readonly settings: () => ActionsSettings;
}

export interface ActionRun {
  readonly decided: Promise<ActionOutcome[]>;
  readonly final: Promise<ActionOutcome[]>;
}

interface Decision {
  readonly action: ActionConfig;
  readonly outcome?: ActionOutcome;
  /** A live call to make, with the history row already written. */
  readonly call?: { readonly id: number; readonly body: string };
}

/**
 * Runs the actions a notification qualifies for. Decisions are taken one notification at a
 * time (the once-per-group rule and the rate limit read the history, and a live call is
 * written to it before it is made), so two notifications of one group never both call;
 * the calls themselves then run concurrently, each within its timeout. A failed call is
 * not retried: an operation such as "cordon the node" is not safe to repeat blindly.
 */
export class ActionRunner {
  private decisions: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: ActionRunnerDeps) {}

  /**
   * Decides, then calls. `decided` resolves once every decision is taken (live calls in
   * flight show as `pending`); `final` once every call has its answer.
   */
  run(request: ActionRequest): ActionRun {
    const settings = this.deps.settings();
    if (settings.mode === "off" || request.actions.length === 0)
      return { decided: Promise.resolve([]), final: Promise.resolve([]) };
    const decisions = this.decisions.then(() => this.decide(request, settings));
    this.decisions = decisions.catch(() => undefined);
    const decided = decisions.then((all) =>
      all.map((d) => d.outcome ?? pendingOutcome(d.action, this.deps.now())),
    );
    const final = decisions.then((all) =>
      Promise.all(
        all.map((d) =>
          d.call
            ? this.call(d.action, d.call, request)
            : Promise.resolve(d.outcome ?? pendingOutcome(d.action, this.deps.now())),
        ),
      ),
    );
    return { decided, final };
  }

  private async decide(request: ActionRequest, settings: ActionsSettings): Promise<Decision[]> {
    const now = this.deps.now();
    const n = request.notification;
    const out: Decision[] = [];
    for (const action of request.actions) {
      if (!actionApplies(action, n, request.primary, request.verdict)) continue;
      const mode = settings.mode === "live" && !action.dryRun ? "live" : "dry_run";
      const base = {
        action: action.name,
        route: action.routeId,
        mode,
        method: action.method,
        target: displayTarget(action.url),
        at: now,
      } as const;
      const last = await this.deps.store.lastRunFor(
        action.name,
        n.receiver,
        n.groupKey,
        mode,
        now - settings.cooldownMs,
      );
      if (last !== undefined) {
        out.push({
          action,
          outcome: this.outcome({
            ...base,
            result: "cooldown",
            detail: `already ran for this group ${Math.round((now - last) / 1000)}s ago`,
          }),
        });
        continue;
      }
      const record = {
        at: now,
        notificationId: request.notificationId ?? null,
        receiver: n.receiver,
        groupKey: n.groupKey,
        action: action.name,
        route: action.routeId,
        mode,
        method: action.method,
        target: base.target,
      } as const;
      const ran = await this.deps.store.ranSince(action.name, mode, now - action.rateLimit.perMs);
      if (ran >= action.rateLimit.max) {
        const detail = `${ran} runs in the last ${Math.round(action.rateLimit.perMs / 1000)}s reach the limit of ${action.rateLimit.max}`;
        await this.deps.store.insert({ ...record, result: "rate_limited", detail });
        out.push({ action, outcome: this.outcome({ ...base, result: "rate_limited", detail }) });
        continue;
      }
      let body: string;
      try {
        body = action.body(bodyContext(action, request, mode === "dry_run"));
      } catch (error) {
        const detail = `body template failed: ${(error as Error).message}`;
        await this.deps.store.insert({ ...record, result: "failed", detail });
        out.push({ action, outcome: this.outcome({ ...base, result: "failed", detail }) });
        continue;
      }
      if (mode === "dry_run") {
        const detail = `would ${action.method} ${base.target} (${body.length} bytes of body)`;
        await this.deps.store.insert({ ...record, result: "dry_run", detail });
        this.deps.logger.info("action (dry run): not called", {
          action: action.name,
          group: n.groupKey,
          method: action.method,
          target: base.target,
          body,
        });
        out.push({ action, outcome: this.outcome({ ...base, result: "dry_run", detail }) });
        continue;
      }
      const id = await this.deps.store.insert({ ...record, result: "started", detail: "calling" });
      out.push({ action, call: { id, body } });
    }
    return out;
  }

  private async call(
    action: ActionConfig,
    call: { readonly id: number; readonly body: string },
    request: ActionRequest,
  ): Promise<ActionOutcome> {
    const started = performance.now();
    let status: number | undefined;
    let detail: string;
    try {
      const response = await axios.request<string>({
        method: action.method,
        url: action.url,
        headers: { "content-type": "application/json", ...action.headers },
        data: call.body,
        timeout: action.timeoutMs,
        maxRedirects: 0,
        responseType: "text",
        transformResponse: (data: unknown) => data,
        validateStatus: () => true,
      });
      status = response.status;
      detail = `${action.method} ${displayTarget(action.url)} → HTTP ${status}`;
    } catch (error) {
      detail = `${action.method} ${displayTarget(action.url)} → ${transportReason(error)}`;
    }
    const durationMs = performance.now() - started;
    const result = status !== undefined && status >= 200 && status < 300 ? "called" : "failed";
    this.deps.metrics.duration.observe({ action: action.name }, durationMs / 1000);
    try {
      await this.deps.store.finish(call.id, result, status, detail, durationMs);
    } catch (error) {
      this.deps.logger.error("cannot record an action's result", { action: action.name, error });
    }
    const fields = { action: action.name, group: request.notification.groupKey, result, status };
    if (result === "called") this.deps.logger.info("action called", fields);
    else this.deps.logger.warn("action call failed", fields);
    return this.outcome({
      action: action.name,
      route: action.routeId,
      mode: "live",
      method: action.method,
      target: displayTarget(action.url),
      at: this.deps.now(),
      result,
      ...(status !== undefined ? { status } : {}),
      detail: `${detail} (${Math.round(durationMs)} ms)`,
      durationMs,
    });
  }

  private outcome(outcome: ActionOutcome): ActionOutcome {
    this.deps.metrics.outcomes.inc({
      action: outcome.action,
      mode: outcome.mode,
      result: outcome.result,
    });
    return outcome;
  }
}

function pendingOutcome(action: ActionConfig, at: number): ActionOutcome {
  return {
    action: action.name,
    route: action.routeId,
    mode: "live",
    result: "pending",
    method: action.method,
    target: displayTarget(action.url),
    detail: `calling ${action.method} ${displayTarget(action.url)}; the answer follows in an update`,
    at,
  };
}

/** Host and path only: a query string may carry a token. */
function displayTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

function bodyContext(
  action: ActionConfig,
  request: ActionRequest,
  dryRun: boolean,
): ActionBodyContext {
  const n = request.notification;
  const labels = request.primary?.labels ?? n.commonLabels;
  return {
    action: action.name,
    dryRun,
    status: n.status,
    receiver: n.receiver,
    groupKey: n.groupKey,
    groupLabels: n.groupLabels,
    commonLabels: n.commonLabels,
    labels,
    alertname: labels["alertname"] ?? "",
    startsAt: request.primary?.startsAt ?? "",
    verdict: request.verdict?.layer,
    confidence: request.verdict?.confidence,
    headline: request.headline,
    evidence: (request.verdict?.evidence ?? [])
      .filter((e) => e.score > 0)
      .slice(0, 5)
      .map((e) => ({
        monitor: e.observation.monitor,
        layer: e.observation.layer,
        labels: e.observation.labels,
        score: e.score,
      })),
    externalURL: n.externalURL,
  };
}
