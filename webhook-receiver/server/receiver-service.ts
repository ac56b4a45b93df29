import type { SecretSource } from "../../core/config/secret.js";
import { LOG_LEVELS } from "../../core/log/logger.js";
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
import { builtinTemplates, loadReceiverConfig } from "../config/load-config.js";
import type { ReceiverConfig } from "../config/receiver-config.js";
import type { HttpClient } from "../destinations/http-client.js";
import { createHttpClient, userAgent } from "../destinations/http-client.js";
import { startPayloadParser } from "../payload/payload-parser.js";
import { AcceptBatcher } from "../pipeline/accept-batcher.js";
import { DeliveryWorker } from "../pipeline/delivery-worker.js";
import type { DeliveryPlace, DeliveryRunner } from "../pipeline/delivery-worker.js";
import { incidentLinkOf } from "../pipeline/incident-link-of.js";
import { startDeliveryThread } from "../pipeline/start-delivery-thread.js";
import { DestinationSet } from "../pipeline/destination-set.js";
import type { Enricher, Enrichment } from "../pipeline/enrichment.js";
import { RoutingStage } from "../pipeline/routing-stage.js";
import { RootCauseEnricher } from "../evidence/root-cause-enricher.js";
import { ChartPngRenderer } from "../incidents/chart-png.js";
import { carriesIncidentKey } from "../incidents/incident-capability.js";
import { filingFacts } from "../incidents/incident-filing.js";
import { incidentRoutes } from "../incidents/incident-routes.js";
import type { IncidentStore } from "../incidents/incident-store.js";
import type { NotificationStore } from "../store/notification-store.js";
import type { startInboxWriter } from "../store/inbox-writer.js";
import type { AcceptRecord, AcceptResult } from "../store/inbox-writes.js";
import type { SqliteDatabase } from "../store/open-database.js";
import type { OutboxStore } from "../store/outbox-store.js";
import { openReceiverStore, processOwner } from "../store/open-store.js";
import type { ReceiverStore } from "../store/receiver-store.js";
import { SqliteReceiverStore } from "../store/sqlite-receiver-store.js";
import { alertsEndpoint } from "./alerts-endpoint.js";
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
  /** Starts the storage writer (tests wrap it to make storage fail). SQLite only. */
  readonly startWriter?: typeof startInboxWriter;
  /** How often to claim notifications a dead replica accepted but never routed. */
  readonly orphanScanMs?: number;
  /**
   * Delivers from a thread of its own (the CLI and the demo do), so that reading the
   * outbox, rendering and sending never delay an ack. Only when `http`, `now`, `random`
   * and `secrets.readFile` are not passed: the thread loads `config.file` itself, with
   * secrets from `secrets.env`. Otherwise, or when the thread cannot start, delivery runs
   * on the event loop.
   */
  readonly deliveryThread?: boolean;
}

export interface RunningReceiver {
  readonly url: string;
  /** Everything the receiver keeps (SQLite or PostgreSQL). */
  readonly store: ReceiverStore;
  /** The SQLite connection; throws when the store is PostgreSQL. */
  readonly database: SqliteDatabase;
  readonly registry: MetricsRegistry;
  /** SQLite only, as `database`. */
  readonly outbox: OutboxStore;
  /** SQLite only, as `database`. */
  readonly notifications: NotificationStore;
  readonly incidents: IncidentStore;
  /** Where messages are rendered and sent: see ReceiverOptions.deliveryThread. */
  deliveryPlace(): DeliveryPlace;
  reload(): ReturnType<ConfigReloader<ReceiverConfig>["reload"]>;
  config(): ReceiverConfig;
  /** Queues a follow-up message (e.g. late evidence) to where a notification went. */
  followUp(notificationId: number, enrichment: Enrichment): Promise<number>;
  stop(): Promise<void>;
}

const PRUNE_EVERY_MS = 10 * 60_000;
const SNAPSHOT_REUSE_MS = 100;
const ACCEPT_BATCH_MAX = 512;
const SQLITE_ACCEPTS_IN_FLIGHT = 8;

/**
 * Wires the pipeline: accept (HTTP) → persist (SQLite, group commit) → enrich → route
 * (routing stage) → render → deliver (delivery worker). Everything that crosses a stage
 * boundary is in the database, so a restart picks up where a crash left off.
 */
export async function startReceiver(options: ReceiverOptions): Promise<RunningReceiver> {
  const now = options.now ?? Date.now;
  const store = await openReceiverStore(options.config.storage, options.startWriter);
  const owner = processOwner();
  const incidents = store.incidents;
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
    {
      http: options.http ?? createHttpClient({ userAgent: userAgent(options.version) }),
      stdout: options.stdout,
    },
    now,
  );
  destinations.apply(options.config);
  // Compiled now, not in the event-loop turn of the first message (tens of milliseconds).
  for (const d of options.config.destinations) builtinTemplates(d.type);

  // Read per use, so every stage sees a reload at once (the reloader is created below).
  const config = (): ReceiverConfig => reloader.current();
  // One query per scrape for the three outbox gauges.
  let scrape: { at: number; snapshot: Promise<OutboxSnapshot> } | undefined;
  const metrics = new ReceiverMetrics(
    registry,
    () => {
      const at = performance.now();
      if (!scrape || at - scrape.at > SNAPSHOT_REUSE_MS)
        scrape = {
          at,
          snapshot: store.countsByDestination().then((rows) => snapshot(rows, now())),
        };
      return scrape.snapshot;
    },
    () => destinations.names(),
  );
  const deliverHere = (): DeliveryRunner =>
    new DeliveryWorker({
      outbox: store,
      owner,
      write: (writes) => store.recordOutbox(writes),
      destinations,
      config,
      metrics,
      logger: options.logger,
      now,
      incidentLink: incidentLinkOf(config),
      random: options.random ?? Math.random,
      ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    });
  // The thread builds its own clock, HTTP client and destinations from the config file:
  // a caller that injects any of them (tests) gets delivery on the event loop.
  const threadable =
    options.deliveryThread === true &&
    options.http === undefined &&
    options.now === undefined &&
    options.random === undefined &&
    options.secrets.readFile === undefined;
  const threaded = threadable
    ? startDeliveryThread({
        data: {
          configFile: options.config.file,
          env: { ...options.secrets.env },
          owner,
          version: options.version,
          ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
          logLevel: LOG_LEVELS.find((level) => options.logger.enabled(level)) ?? "error",
        },
        write: (writes) => store.recordOutbox(writes),
        metrics,
        logger: options.logger,
        stdout: options.stdout,
        fallback: deliverHere,
      })
    : undefined;
  const worker: DeliveryRunner = threaded ?? deliverHere();
  const enricher =
    options.enricher ??
    new RootCauseEnricher({
      config,
      registry,
      actionStore: store.actions,
      logger: options.logger,
      now,
    });
  const followUp = async (id: number, enrichment: Enrichment): Promise<number> => {
    const count = await store.enqueueFollowUp(id, enrichment, now());
    worker.wake();
    return count;
  };
  const routingLeaseMs = (): number => Math.max(30_000, 5 * config().enrichmentTimeoutMs);
  const routing = new RoutingStage({
    claimUnrouted: (limit) =>
      store.claimUnrouted({ owner, until: now() + routingLeaseMs() }, now(), limit),
    ...(options.orphanScanMs !== undefined ? { orphanScanMs: options.orphanScanMs } : {}),
    complete: (results, at) =>
      store
        .route(
          results.map((r) => ({
            id: r.id,
            enrichment: r.enrichment ? JSON.stringify(r.enrichment) : null,
            routed: r.routed,
            ...(r.filing ? { filing: r.filing } : {}),
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
      followUp(id, enrichment).catch((error: unknown) => {
        metrics.storageErrors.inc({ operation: "follow_up" });
        options.logger.error("cannot queue a follow-up", { notification: id, error });
      });
    },
    // PostgreSQL files incidents on this event loop; SQLite in its writer thread.
    ...(store.kind === "postgres" ? { filingFacts } : {}),
  });
  const reloader = new ConfigReloader<ReceiverConfig>(
    options.config,
    () => loadReceiverConfig(options.config.file, options.secrets),
    (next, previous) => {
      if (JSON.stringify(next.storage) !== JSON.stringify(previous.storage))
        return Promise.reject(new Error("storage cannot change on reload; restart the receiver"));
      destinations.apply(next);
      return worker.configChanged();
    },
    registry,
    options.logger,
    now,
  );
  const batcher = new AcceptBatcher<AcceptRecord, AcceptResult>(
    (records) => {
      let oldest = Infinity;
      for (const r of records) oldest = Math.min(oldest, r.receivedAt);
      return store.accept(records, oldest - config().dedupWindowMs, {
        owner,
        until: now() + routingLeaseMs(),
      });
    },
    ACCEPT_BATCH_MAX,
    // The SQLite writer thread groups the batches that reach it while it commits, so a
    // batch need not wait on the main thread for the previous one's answer.
    store.kind === "sqlite" ? SQLITE_ACCEPTS_IN_FLIGHT : 1,
  );
  const parser = startPayloadParser();
  const alerts = alertsEndpoint({
    config,
    metrics,
    logger: options.logger,
    parser,
    accept: async ({ notification, record }) => {
      const receivedAt = now();
      const result = await batcher.submit({ ...record, receivedAt });
      if (!result.duplicate) routing.submit({ id: result.id, receivedAt, notification });
      return result;
    },
  });
  const app = createReceiverApp({
    config,
    registry,
    metrics,
    store,
    logger: options.logger,
    now,
    version: options.version,
    lifecycle: {
      name: "aiwatch webhook-receiver",
      // Not ready when no accept can commit: Alertmanager's 503s alone would not tell a
      // load balancer or an orchestrator to route around this instance.
      notReadyReason: () => store.unavailableReason(),
      reload: async () => {
        const result = await reloader.reload();
        return { ok: result.ok, diagnostics: result.ok ? [] : result.diagnostics };
      },
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
    server = await listen(
      (req, res) => {
        if (!alerts(req, res)) app(req, res);
      },
      options.host,
      options.port,
      web,
    );
  } catch (error) {
    await parser.close();
    // The delivery thread would keep the process alive (a port in use must exit).
    await worker.stop();
    await store.close();
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
    const c = config();
    const pruned = store
      .prune(now(), c.storage.historyRetentionMs, c.dedupWindowMs)
      .then(() => incidents.prune(now() - c.storage.historyRetentionMs));
    pruned.catch((error: unknown) => {
      metrics.storageErrors.inc({ operation: "prune" });
      options.logger.error("pruning history failed", { error });
    });
  }, PRUNE_EVERY_MS);
  prune.unref();
  options.logger.info("webhook receiver listening", {
    url: server.url,
    storage: options.config.storage.kind === "sqlite" ? options.config.storage.path : "postgres",
    replica: owner,
    delivery: worker.where(),
  });
  const sqlite = (): SqliteReceiverStore => {
    if (store instanceof SqliteReceiverStore) return store;
    throw new Error("this receiver stores in PostgreSQL; use receiver.store");
  };

  return {
    url: server.url,
    store,
    get database() {
      return sqlite().database;
    },
    get outbox() {
      return sqlite().outbox;
    },
    get notifications() {
      return sqlite().notifications;
    },
    registry,
    incidents,
    deliveryPlace: () => worker.where(),
    reload: () => reloader.reload(),
    config,
    followUp,
    stop: async () => {
      clearInterval(prune);
      routing.stop();
      enricher.close?.();
      await server.close();
      await parser.close();
      await worker.stop();
      await store.close();
    },
  };
}

function snapshot(
  rows: readonly { destination: string; state: string; count: number; oldest: number }[],
  now: number,
): OutboxSnapshot {
  const pending = new Map<string, number>();
  const dead = new Map<string, number>();
  const oldest = new Map<string, number>();
  for (const row of rows) {
    if (row.state === "pending") {
      pending.set(row.destination, row.count);
      oldest.set(row.destination, Math.max(0, (now - row.oldest) / 1000));
    } else dead.set(row.destination, row.count);
  }
  return { pending, dead, oldestPendingSeconds: oldest };
}
