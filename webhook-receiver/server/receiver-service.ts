import type { SecretSource } from "../../core/config/secret.js";
import type { Logger } from "../../core/log/logger.js";
import { registerBuildInfo } from "../../core/metrics/build-info.js";
import { createMetricsRegistry } from "../../core/metrics/metrics-registry.js";
import { registerProcessMetrics } from "../../core/metrics/process-metrics.js";
import type { MetricsRegistry } from "../../core/metrics/metrics-registry.js";
import { ConfigReloader } from "../../core/server/config-reloader.js";
import { listen } from "../../core/server/listen.js";
import type { ListeningServer } from "../../core/server/listen.js";
import type { WebConfig } from "../../core/server/web-config/load-web-config.js";
import { WebLayer } from "../../core/server/web-config/web-layer.js";
import { loadReceiverConfig } from "../config/load-config.js";
import type { ReceiverConfig } from "../config/receiver-config.js";
import type { HttpClient } from "../destinations/http-client.js";
import { fetchHttpClient } from "../destinations/http-client.js";
import { dedupKey } from "../payload/dedup-key.js";
import { AcceptBatcher } from "../pipeline/accept-batcher.js";
import { DeliveryWorker } from "../pipeline/delivery-worker.js";
import { DestinationSet } from "../pipeline/destination-set.js";
import type { Enricher, Enrichment } from "../pipeline/enrichment.js";
import { RoutingStage } from "../pipeline/routing-stage.js";
import { ActionStore } from "../actions/action-store.js";
import { RootCauseEnricher } from "../evidence/root-cause-enricher.js";
import { ChartPngRenderer } from "../incidents/chart-png.js";
import { carriesIncidentKey } from "../incidents/incident-capability.js";
import { incidentChartUrl, incidentUrl, mainChart } from "../incidents/incident-link.js";
import { incidentRoutes } from "../incidents/incident-routes.js";
import { IncidentStore } from "../incidents/incident-store.js";
import { HistoryStore } from "../store/history-store.js";
import { NotificationStore } from "../store/notification-store.js";
import { startInboxWriter } from "../store/inbox-writer.js";
import type { AcceptResult } from "../store/inbox-writes.js";
import type { Notification } from "../payload/notification.js";
import { openDatabase } from "../store/open-database.js";
import type { SqliteDatabase } from "../store/open-database.js";
import { OutboxStore } from "../store/outbox-store.js";
import { createReceiverApp } from "./create-app.js";
import { ReceiverMetrics } from "./receiver-metrics.js";
import type { OutboxSnapshot } from "./receiver-metrics.js";

export interface ReceiverOptions {
  readonly config: ReceiverConfig;
  readonly secrets: SecretSource;
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
  readonly version: string;
  readonly stdout: (text: string) => void;
  /**
   * Replaces the built-in enricher (root-cause analysis and actions, as the config's
   * `enrichment:` and `actions:` say; a no-op when they are absent).
   */
  readonly enricher?: Enricher;
  readonly http?: HttpClient;
  readonly now?: () => number;
  readonly random?: () => number;
  /** How often to look for work queued by another process (replay CLI). */
  readonly pollMs?: number;
  /** --web.config.file, validated: TLS, basic auth, headers, rate limit. */
  readonly webConfig?: WebConfig;
  /** Starts the storage writer (tests wrap it to make storage fail). */
  readonly startWriter?: typeof startInboxWriter;
}

export interface RunningReceiver {
  readonly url: string;
  readonly database: SqliteDatabase;
  readonly registry: MetricsRegistry;
  readonly outbox: OutboxStore;
  readonly notifications: NotificationStore;
  readonly incidents: IncidentStore;
  reload(): ReturnType<ConfigReloader<ReceiverConfig>["reload"]>;
  config(): ReceiverConfig;
  /** Queues a follow-up message (e.g. late evidence) to where a notification went. */
  followUp(notificationId: number, enrichment: Enrichment): number;
  stop(): Promise<void>;
}

const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * Wires the pipeline: accept (HTTP) → persist (SQLite, group commit) → enrich → route
 * (routing stage) → render → deliver (delivery worker). Everything that crosses a stage
 * boundary is in the database, so a restart picks up where a crash left off.
 */
export async function startReceiver(options: ReceiverOptions): Promise<RunningReceiver> {
  const now = options.now ?? Date.now;
  const database = openDatabase(options.config.storage.path, options.config.storage.synchronous);
  const writer = (options.startWriter ?? startInboxWriter)(
    options.config.storage.path,
    options.config.storage.synchronous,
    database,
  );
  const notifications = new NotificationStore(database);
  const outbox = new OutboxStore(database);
  const history = new HistoryStore(database);
  const incidents = new IncidentStore(database);
  const charts = new ChartPngRenderer();
  const registry = createMetricsRegistry();
  registerBuildInfo(registry, "webhook-receiver", options.version);
  registerProcessMetrics(registry);
  const web = options.webConfig
    ? new WebLayer(options.webConfig, registry, options.logger, now, (req) =>
        carriesIncidentKey(incidents, req),
      )
    : undefined;
  const destinations = new DestinationSet(
    { http: options.http ?? fetchHttpClient, stdout: options.stdout },
    now,
  );
  destinations.apply(options.config);

  // Read per use, so every stage sees a reload at once (the reloader is created below).
  const config = (): ReceiverConfig => reloader.current();
  const metrics = new ReceiverMetrics(
    registry,
    () => snapshot(outbox, now()),
    () => destinations.names(),
  );
  const worker = new DeliveryWorker({
    outbox,
    write: (writes) => writer.outbox(writes),
    destinations,
    config,
    metrics,
    logger: options.logger,
    now,
    incidentLink: (notificationId, enrichment) => {
      const base = config().externalUrl;
      const link = base !== undefined ? incidents.linkOf(notificationId) : undefined;
      if (base === undefined || !link) return undefined;
      return {
        url: incidentUrl(base, link.id, link.token),
        ...(mainChart(enrichment?.evidence)
          ? { chartUrl: incidentChartUrl(base, link.id, link.token) }
          : {}),
      };
    },
    random: options.random ?? Math.random,
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
  });
  const enricher =
    options.enricher ??
    new RootCauseEnricher({
      config,
      registry,
      actionStore: new ActionStore(database),
      logger: options.logger,
      now,
    });
  const followUp = (id: number, enrichment: Enrichment): number => {
    const count = notifications.enqueueFollowUp(id, enrichment, now());
    worker.wake();
    return count;
  };
  const routing = new RoutingStage({
    store: notifications,
    complete: (results, at) =>
      writer
        .route(
          results.map((r) => ({
            id: r.id,
            enrichment: r.enrichment ? JSON.stringify(r.enrichment) : null,
            routed: r.routed,
          })),
          at,
        )
        .then(({ unfiled }) => {
          // Routed and sent all the same, without its incident link: said, not silent.
          for (const { id, error } of unfiled) {
            metrics.storageErrors.inc({ operation: "incident" });
            options.logger.error("cannot file a notification under its incident", {
              notification: id,
              error,
            });
          }
        }),
    enricher,
    config,
    logger: options.logger,
    now,
    onEnrichmentFailure: () => metrics.enrichmentFailures.inc(),
    onStorageError: () => metrics.storageErrors.inc({ operation: "route" }),
    onRouted: () => worker.wake(),
    followUp: (id, enrichment) => {
      try {
        followUp(id, enrichment);
      } catch (error) {
        metrics.storageErrors.inc({ operation: "follow_up" });
        options.logger.error("cannot queue a follow-up", { notification: id, error });
      }
    },
  });
  const reloader = new ConfigReloader<ReceiverConfig>(
    options.config,
    () => loadReceiverConfig(options.config.file, options.secrets),
    (next, previous) => {
      if (next.storage.path !== previous.storage.path)
        return Promise.reject(
          new Error("storage.path cannot change on reload; restart the receiver"),
        );
      destinations.apply(next);
      worker.wake();
      return Promise.resolve();
    },
    registry,
    options.logger,
    now,
  );
  const batcher = new AcceptBatcher<
    { notification: Notification; receivedAt: number },
    AcceptResult
  >((items) => {
    const oldest = Math.min(...items.map((i) => i.receivedAt));
    return writer.accept(
      items.map(({ notification: n, receivedAt }) => ({
        payload: JSON.stringify(n),
        receiver: n.receiver,
        groupKey: n.groupKey,
        status: n.status,
        dedupKey: dedupKey(n),
        receivedAt,
      })),
      oldest - config().dedupWindowMs,
    );
  });
  const app = createReceiverApp({
    config,
    registry,
    metrics,
    outbox,
    logger: options.logger,
    now,
    version: options.version,
    lifecycle: {
      name: "aiwatch webhook-receiver",
      // Not ready when no accept can commit: Alertmanager's 503s alone would not tell a
      // load balancer or an orchestrator to route around this instance.
      notReadyReason: () => {
        if (!database.open) return "storage is closed";
        const failure = writer.failure();
        return failure === undefined ? undefined : `storage is unavailable: ${failure}`;
      },
      reload: async () => {
        const result = await reloader.reload();
        return { ok: result.ok, diagnostics: result.ok ? [] : result.diagnostics };
      },
    },
    accept: async (notification) => {
      const receivedAt = now();
      const result = await batcher.submit({ notification, receivedAt });
      if (!result.duplicate) routing.submit({ id: result.id, receivedAt, notification });
      return result;
    },
    onReplay: () => worker.wake(),
    incidentPages: incidentRoutes({
      store: incidents,
      credentials: () => config().credentials,
      secretValues: () => config().secretValues,
      now,
      onRejected: () => metrics.rejected.inc({ reason: "unauthorized", endpoint: "incidents" }),
      renderPng: (chart) => charts.render(chart),
    }),
  });
  let server: ListeningServer;
  try {
    server = await listen(app, options.host, options.port, web);
  } catch (error) {
    await writer.close();
    database.close();
    throw error;
  }
  // Alertmanager (Go) keeps connections idle for up to 90 s; closing them sooner races with
  // its next request on the same connection.
  server.server.keepAliveTimeout = 95_000;
  server.server.headersTimeout = 96_000;
  // Work a previous run left behind: accepted but unrouted notifications, pending deliveries.
  routing.wake();
  worker.start();
  const prune = setInterval(() => {
    try {
      const c = config();
      history.prune(now(), c.storage.historyRetentionMs, c.dedupWindowMs);
      incidents.prune(now() - c.storage.historyRetentionMs);
    } catch (error) {
      metrics.storageErrors.inc({ operation: "prune" });
      options.logger.error("pruning history failed", { error });
    }
  }, PRUNE_EVERY_MS);
  prune.unref();
  options.logger.info("webhook receiver listening", {
    url: server.url,
    storage: options.config.storage.path,
  });

  return {
    url: server.url,
    database,
    registry,
    outbox,
    notifications,
    incidents,
    reload: () => reloader.reload(),
    config,
    followUp,
    stop: async () => {
      clearInterval(prune);
      routing.stop();
      enricher.close?.();
      await server.close();
      await worker.stop();
      await writer.close();
      if (database.open) database.close();
    },
  };
}

function snapshot(outbox: OutboxStore, now: number): OutboxSnapshot {
  const pending = new Map<string, number>();
  const dead = new Map<string, number>();
  const oldest = new Map<string, number>();
  for (const row of outbox.countsByDestination()) {
    if (row.state === "pending") {
      pending.set(row.destination, row.count);
      oldest.set(row.destination, Math.max(0, (now - row.oldest) / 1000));
    } else dead.set(row.destination, row.count);
  }
  return { pending, dead, oldestPendingSeconds: oldest };
}
