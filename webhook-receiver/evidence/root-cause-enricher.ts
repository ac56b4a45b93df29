import type { Logger } from "../../core/log/logger.js";
import type { MetricsRegistry } from "../../core/metrics/metrics-registry.js";
import type { ActionConfig, ActionOutcome } from "../actions/action-config.js";
import { ActionMetrics } from "../actions/action-metrics.js";
import { ActionRunner } from "../actions/action-runner.js";
import { captureEvidence } from "../incidents/capture-evidence.js";
import type { ActionHistory } from "../store/receiver-store.js";
import type { ReceiverConfig } from "../config/receiver-config.js";
import type { Alert, Notification } from "../payload/notification.js";
import type { Enricher, Enrichment, EnrichmentContext } from "../pipeline/enrichment.js";
import { matchedRoutes } from "../routing/route-notification.js";
import { alertmanagerApi } from "./alertmanager-api.js";
import type { AlertmanagerApi } from "./alertmanager-api.js";
import type { AnalysisConfig } from "./analysis-config.js";
import { ConcurrencyLimit } from "./concurrency-limit.js";
import { EnrichmentMetrics } from "./enrichment-metrics.js";
import { analysisWindow, gatherEvidence } from "./gather-evidence.js";
import type { AlertUnderAnalysis } from "./gather-evidence.js";
import { SourceError } from "./http-endpoint.js";
import { prometheusApi } from "./prometheus-api.js";
import type { PrometheusApi } from "./prometheus-api.js";
import { actionsEnrichment, notEnrichedEnrichment, renderAnalysis } from "./render-analysis.js";
import type { Analysis } from "./render-analysis.js";
import { decideVerdict } from "./scoring.js";

export interface RootCauseEnricherDeps {
  readonly config: () => ReceiverConfig;
  readonly registry: MetricsRegistry;
  readonly actionStore: ActionHistory;
  readonly logger: Logger;
  readonly now: () => number;
}

/** One analysis, shared by every notification of its group with the same earliest alert. */
interface Job {
  readonly done: Promise<void>;
  /** The verdict with actions still in flight (shown if the deadline passes before they end). */
  partial?: Enrichment;
  /** Everything: verdict, evidence, actions' results. */
  result?: Enrichment;
  lastError: string;
  finishedAt?: number;
  /** Notifications sent before `result`, each waiting for its follow-up (and whether it showed the verdict). */
  readonly waiters: Map<
    number,
    { followUp: (enrichment: Enrichment) => void; sawVerdict: boolean }
  >;
  readonly abort: AbortController;
}

interface Sources {
  readonly prometheus: PrometheusApi;
  readonly alertmanager: AlertmanagerApi | undefined;
  readonly limit: ConcurrencyLimit;
}

const MAX_JOBS = 10_000;
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 15_000;

/**
 * The receiver's enrich stage with root-cause analysis and automated actions.
 *
 * For each notification it explains the group's earliest firing alert: evidence from the
 * configured Prometheus and Alertmanager (never an address from the payload), a verdict
 * (scoring.ts), then the actions of the routes it takes. One analysis serves every
 * notification of its group with the same earliest alert (a cache kept `cache_ttl` after
 * it ends). If the analysis is not done by the stage's deadline, the message goes out
 * marked "not enriched" and the analysis goes on — retrying while Prometheus is down, for
 * up to `follow_up_for` — and its result follows as an update to the same destinations.
 */
export class RootCauseEnricher implements Enricher {
  private readonly jobs = new Map<string, Job>();
  /** The latest job per group, for resolved notifications. */
  private readonly latestByGroup = new Map<string, Job>();
  private readonly sources = new WeakMap<AnalysisConfig, Sources>();
  private readonly metrics: EnrichmentMetrics;
  private readonly runner: ActionRunner;
  private closed = false;

  constructor(private readonly deps: RootCauseEnricherDeps) {
    this.metrics = new EnrichmentMetrics(deps.registry);
    this.runner = new ActionRunner({
      store: deps.actionStore,
      metrics: new ActionMetrics(deps.registry),
      logger: deps.logger,
      now: deps.now,
      settings: () => deps.config().actions,
    });
  }

  /** Only with an analysis configured, or an action on one of the routes it takes. */
  wants(notification: Notification): boolean {
    const config = this.deps.config();
    return (
      config.analysis !== undefined ||
      (config.actions.mode !== "off" && routeActions(notification, config).length > 0)
    );
  }

  async enrich(
    notification: Notification,
    signal: AbortSignal,
    context: EnrichmentContext,
  ): Promise<Enrichment | undefined> {
    const config = this.deps.config();
    const actions = config.actions.mode === "off" ? [] : routeActions(notification, config);
    if (!config.analysis && actions.length === 0) return undefined;
    const group = `${notification.receiver}\u0000${notification.groupKey}`;
    const primary = earliestFiring(notification);
    if (!primary) return this.atResolution(notification, group, config, context, signal);
    const now = this.deps.now();
    this.evict(now, config.analysis?.cacheTtlMs ?? 0);
    const key = `${group}\u0000${primary.fingerprint}\u0000${primary.startsAt}`;
    let job = this.jobs.get(key);
    // An analysis that ended without a result (it gave up, or no action applied) is redone.
    if (job?.finishedAt !== undefined && !job.result) {
      this.jobs.delete(key);
      job = undefined;
    }
    if (job) this.metrics.cacheHits.inc();
    else {
      job = this.start(notification, primary, context.notificationId, config, actions);
      this.jobs.set(key, job);
    }
    this.latestByGroup.set(group, job);
    const timeoutMs = config.enrichmentTimeoutMs;
    // Answer a little before the stage's own deadline, so "not enriched" is what it sends.
    const budget = context.deadlineAt - now - Math.min(100, timeoutMs / 10);
    await raceDeadline(job.done, budget, signal);
    if (job.finishedAt !== undefined && !job.result) return undefined;
    if (job.result) {
      this.metrics.results.inc({ result: "enriched" });
      return job.result;
    }
    job.waiters.set(context.notificationId, {
      followUp: (e) => context.followUp(e),
      sawVerdict: job.partial !== undefined,
    });
    if (job.partial) {
      this.metrics.results.inc({ result: "enriched" });
      return job.partial;
    }
    this.metrics.results.inc({ result: "not_enriched" });
    return notEnrichedEnrichment(job.lastError, timeoutMs);
  }

  close(): void {
    this.closed = true;
    for (const job of this.jobs.values()) job.abort.abort();
  }

  private start(
    notification: Notification,
    primary: Alert,
    notificationId: number,
    config: ReceiverConfig,
    actions: readonly ActionConfig[],
  ): Job {
    let finish: () => void = () => undefined;
    const job: Job = {
      done: new Promise<void>((resolve) => (finish = resolve)),
      lastError: "still gathering",
      waiters: new Map(),
      abort: new AbortController(),
    };
    const analysisConfig = config.analysis;
    const target: AlertUnderAnalysis = {
      alert: primary,
      monitor: monitorOf(primary, analysisConfig),
      groupFingerprints: new Set(notification.alerts.map((a) => a.fingerprint)),
    };
    this.metrics.inFlight.inc();
    void (async () => {
      try {
        const analysis = analysisConfig
          ? await this.analyse(job, target, analysisConfig)
          : undefined;
        if (analysisConfig && !analysis) return;
        const run = this.runner.run({
          notificationId,
          notification,
          primary,
          actions,
          verdict: analysis?.verdict,
          headline:
            analysis && analysisConfig
              ? renderAnalysis(analysis, analysisConfig.links, undefined).headline
              : undefined,
        });
        const evidence =
          analysis && analysisConfig
            ? captureEvidence(analysis, analysisConfig, this.deps.now())
            : undefined;
        const render = (outcomes: readonly ActionOutcome[]): Enrichment | undefined =>
          analysis && analysisConfig
            ? { ...renderAnalysis(analysis, analysisConfig.links, outcomes), evidence }
            : actionsEnrichment(outcomes);
        const partial = render(await run.decided);
        if (partial) job.partial = partial;
        const result = render(await run.final);
        if (result) job.result = result;
      } catch (error) {
        job.lastError = error instanceof Error ? error.message : String(error);
        if (!this.closed)
          this.deps.logger.error("root-cause analysis failed", {
            group: notification.groupKey,
            error,
          });
      } finally {
        this.metrics.inFlight.dec();
        job.finishedAt = this.deps.now();
        finish();
        const result = job.result;
        if (result && !this.closed)
          for (const waiter of job.waiters.values()) {
            this.metrics.followUps.inc();
            const prefix = waiter.sawVerdict ? "Actions done" : "Evidence arrived";
            waiter.followUp({ ...result, headline: `${prefix}: ${result.headline}` });
          }
        job.waiters.clear();
      }
    })();
    return job;
  }

  /**
   * A resolved notification (no alert of the group fires). Its message and the incident
   * page show the group's analysis, re-read once more now when the stored one stops short
   * of what can be shown: an analysis made when the alert fired ends seconds after the
   * onset, so without this the charts would show the time before the onset only. The
   * re-read covers the onset ± `lookback` (up to now), in one attempt within the stage's
   * deadline and without actions; if Prometheus is down or slow, the analysis stored before
   * stands (the page renders from it as it is).
   */
  private async atResolution(
    notification: Notification,
    group: string,
    config: ReceiverConfig,
    context: EnrichmentContext,
    signal: AbortSignal,
  ): Promise<Enrichment | undefined> {
    const previous = this.latestByGroup.get(group)?.result;
    const analysisConfig = config.analysis;
    const alert = earliestAlert(notification);
    if (!analysisConfig || !alert) return previous;
    const target: AlertUnderAnalysis = {
      alert,
      monitor: monitorOf(alert, analysisConfig),
      groupFingerprints: new Set(notification.alerts.map((a) => a.fingerprint)),
    };
    const now = this.deps.now();
    const wanted = analysisWindow(target, analysisConfig, now);
    const stored = previous?.evidence?.window;
    if (stored && stored.onsetMs === wanted.onsetMs && stored.endMs >= wanted.endMs - wanted.stepMs)
      return previous;
    const budget = context.deadlineAt - now - Math.min(100, config.enrichmentTimeoutMs / 10);
    const analysis = await this.analyseWithin(target, analysisConfig, budget, signal);
    if (!analysis) return previous;
    return {
      ...renderAnalysis(analysis, analysisConfig.links, undefined),
      evidence: captureEvidence(analysis, analysisConfig, this.deps.now()),
    };
  }

  /** One analysis attempt, abandoned after `budgetMs`; undefined when it failed or was late. */
  private async analyseWithin(
    target: AlertUnderAnalysis,
    config: AnalysisConfig,
    budgetMs: number,
    signal: AbortSignal,
  ): Promise<Analysis | undefined> {
    if (budgetMs <= 0 || signal.aborted) return undefined;
    const abort = new AbortController();
    const stop = (): void => abort.abort();
    const timer = setTimeout(stop, budgetMs);
    signal.addEventListener("abort", stop, { once: true });
    try {
      return await this.analyseOnce(target, config, abort.signal);
    } catch (error) {
      if (!abort.signal.aborted && !(error instanceof SourceError))
        this.deps.logger.error("root-cause analysis at resolution failed", {
          alert: target.alert.labels["alertname"],
          error,
        });
      return undefined;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", stop);
    }
  }

  /** Gathers and scores once; a SourceError when Prometheus is unavailable. */
  private async analyseOnce(
    target: AlertUnderAnalysis,
    config: AnalysisConfig,
    signal: AbortSignal,
  ): Promise<Analysis> {
    const started = performance.now();
    const evidence = await gatherEvidence(
      target,
      config,
      {
        ...this.sourcesFor(config),
        onQuery: (source, outcome, seconds) => {
          this.metrics.queries.inc({ source, outcome });
          this.metrics.queryDuration.observe({ source }, seconds);
        },
      },
      this.deps.now(),
      signal,
    );
    const verdict = decideVerdict(
      evidence.observations,
      evidence.window,
      config.scoring,
      evidence.ownCause,
    );
    this.metrics.analysisDuration.observe((performance.now() - started) / 1000);
    this.metrics.analyses.inc({ result: "complete" });
    this.metrics.verdicts.inc({ verdict: verdict.layer });
    return { target, evidence, verdict };
  }

  /** Gathers and scores, retrying while Prometheus is unavailable; undefined when it gave up. */
  private async analyse(
    job: Job,
    target: AlertUnderAnalysis,
    config: AnalysisConfig,
  ): Promise<Analysis | undefined> {
    const giveUpAt = this.deps.now() + config.followUpForMs;
    let wait = FIRST_RETRY_MS;
    for (;;) {
      try {
        return await this.analyseOnce(target, config, job.abort.signal);
      } catch (error) {
        if (!(error instanceof SourceError) || job.abort.signal.aborted) throw error;
        job.lastError = `${error.source}: ${error.message}`;
        if (this.deps.now() + wait > giveUpAt) {
          this.metrics.analyses.inc({ result: "gave_up" });
          this.deps.logger.warn("giving up on evidence for a notification sent without it", {
            alert: target.alert.labels["alertname"],
            error: job.lastError,
          });
          return undefined;
        }
        this.deps.logger.info("evidence unavailable; will retry for a follow-up", {
          alert: target.alert.labels["alertname"],
          error: job.lastError,
          retryInMs: wait,
        });
        await sleep(wait, job.abort.signal);
        wait = Math.min(wait * 2, MAX_RETRY_MS);
      }
    }
  }

  private sourcesFor(config: AnalysisConfig): Sources {
    let sources = this.sources.get(config);
    if (!sources) {
      sources = {
        prometheus: prometheusApi(config.prometheus, config.queryTimeoutMs),
        alertmanager: config.alertmanager
          ? alertmanagerApi(config.alertmanager, config.queryTimeoutMs)
          : undefined,
        limit: new ConcurrencyLimit(config.maxConcurrency),
      };
      this.sources.set(config, sources);
    }
    return sources;
  }

  private evict(now: number, ttlMs: number): void {
    for (const [key, job] of this.jobs) {
      const expired = job.finishedAt !== undefined && now - job.finishedAt > ttlMs;
      if (expired || this.jobs.size > MAX_JOBS) {
        if (job.finishedAt === undefined) continue;
        this.jobs.delete(key);
        for (const [group, latest] of this.latestByGroup)
          if (latest === job) this.latestByGroup.delete(group);
      }
    }
  }
}

/** The group's earliest firing alert (ties broken by fingerprint, so the choice is stable). */
export function earliestFiring(notification: Notification): Alert | undefined {
  return earliestAlert(notification, "firing");
}

/** The group's earliest alert (of a status, when given), ties broken by fingerprint. */
function earliestAlert(notification: Notification, status?: Alert["status"]): Alert | undefined {
  let best: Alert | undefined;
  for (const alert of notification.alerts) {
    if (status !== undefined && alert.status !== status) continue;
    if (
      !best ||
      Date.parse(alert.startsAt) < Date.parse(best.startsAt) ||
      (alert.startsAt === best.startsAt && alert.fingerprint < best.fingerprint)
    )
      best = alert;
  }
  return best;
}

function monitorOf(alert: Alert, config: AnalysisConfig | undefined) {
  const name = alert.labels["monitor"];
  const monitor = name !== undefined ? config?.spec?.monitors.get(name) : undefined;
  return monitor && monitor.alertName === alert.labels["alertname"] ? monitor : undefined;
}

function routeActions(notification: Notification, config: ReceiverConfig): ActionConfig[] {
  return matchedRoutes(notification, config.routes, config.defaultRoute).flatMap((r) => r.actions);
}

function raceDeadline(done: Promise<void>, budgetMs: number, signal: AbortSignal): Promise<void> {
  if (budgetMs <= 0 || signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(finish, budgetMs);
    signal.addEventListener("abort", finish, { once: true });
    void done.then(finish);
    function finish(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", finish);
      resolve();
    }
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
