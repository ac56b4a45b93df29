import { parentPort, workerData } from "node:worker_threads";
import { levelEnabled } from "../../core/log/logger.js";
import { idleOsThread, lowerOsThreadPriority, nameOsThread } from "../../core/os-thread.js";
import type { Logger, LogLevel } from "../../core/log/logger.js";
import { builtinTemplates, loadReceiverConfig } from "../config/load-config.js";
import type { ReceiverConfig } from "../config/receiver-config.js";
import { createHttpClient, userAgent } from "../destinations/http-client.js";
import { openDatabase } from "../store/open-database.js";
import { OutboxStore } from "../store/outbox-store.js";
import { sqliteDeliveryReads } from "../store/sqlite-delivery-reads.js";
import type { OutboxWrite } from "../store/outbox-writes.js";
import type { DeliveryReads } from "../store/receiver-store.js";
import type {
  DeliveryThreadData,
  FromDeliveryThread,
  MetricUpdate,
  ToDeliveryThread,
} from "./delivery-thread-messages.js";
import { DeliveryWorker } from "./delivery-worker.js";
import type { DeliveryMetrics } from "./delivery-worker.js";
import { DestinationSet } from "./destination-set.js";
import { incidentLinkOf } from "./incident-link-of.js";

/**
 * The delivery thread (started by start-delivery-thread.ts): the delivery worker with a
 * connection of its own (SQLite: read-only; PostgreSQL: a small pool that also records
 * the sends), so reading the outbox, rendering digests and sending them never hold up
 * the event loop that answers Alertmanager. It loads the receiver's config file itself
 * (compiled templates cannot cross threads) and again on every reload the main thread
 * applied. Metrics, logs and console output go to the main thread, where the registry
 * and the logger (with its redaction) live; so do SQLite's outbox writes, which the
 * writer thread commits.
 */
const port = parentPort;
if (!port) throw new Error("delivery-thread.js runs as a worker thread");
const data = workerData as DeliveryThreadData;

/**
 * Delivery runs on the cores the event loop and the writer, which answer Alertmanager,
 * leave free: in Linux's SCHED_IDLE class where util-linux's chrt is installed, else ten
 * nice levels below the rest of the process (neither off Linux). On two busy cores the
 * event loop waited for a core 18% of the time at 1,000 webhooks a second (its /proc
 * schedstat), mostly behind this thread and the writer: a send that starts a few
 * milliseconds later costs nothing, an ack that waits is the ack's tail. In paired rounds
 * of the ack bench the p99 fell (docs/webhook-receiver.md), and delivery still kept up
 * with every notification.
 */
const DELIVERY_NICE_STEPS = 10;
nameOsThread("aiw-delivery");
lowerOsThreadPriority(DELIVERY_NICE_STEPS);
idleOsThread();

const post = (message: FromDeliveryThread): void => port.postMessage(message);

let pendingMetrics: MetricUpdate[] = [];
const recordMetric = (
  metric: keyof DeliveryMetrics,
  labels: Readonly<Record<string, string | number | undefined>>,
  value: number,
): void => {
  const defined: Record<string, string | number> = {};
  for (const [name, label] of Object.entries(labels))
    if (label !== undefined) defined[name] = label;
  // Sent once per turn: a delivery updates several metrics at once.
  if (pendingMetrics.length === 0) setImmediate(flushMetrics);
  pendingMetrics.push({ metric, labels: defined, value });
};
function flushMetrics(): void {
  if (pendingMetrics.length === 0) return;
  post({ kind: "metrics", updates: pendingMetrics });
  pendingMetrics = [];
}
const counter = (metric: keyof DeliveryMetrics) => ({
  inc: (labels: Readonly<Record<string, string | number | undefined>>, value = 1) =>
    recordMetric(metric, labels, value),
});
const metrics: DeliveryMetrics = {
  storageErrors: counter("storageErrors"),
  templateFallbacks: counter("templateFallbacks"),
  trimmed: counter("trimmed"),
  digests: counter("digests"),
  coalesced: counter("coalesced"),
  splits: counter("splits"),
  deliveries: counter("deliveries"),
  deliveryDuration: {
    observe: (labels, value) => recordMetric("deliveryDuration", labels, value),
  },
};

const log =
  (level: LogLevel) =>
  (message: string, fields?: Record<string, unknown>): void => {
    if (!levelEnabled(data.logLevel, level)) return;
    try {
      post({ kind: "log", level, message, ...(fields ? { fields } : {}) });
    } catch {
      // A field that cannot cross threads (errors and plain data can): the message alone.
      post({ kind: "log", level, message });
    }
  };
const logger: Logger = {
  debug: log("debug"),
  info: log("info"),
  warn: log("warn"),
  error: log("error"),
  enabled: (level) => levelEnabled(data.logLevel, level),
};

let writeSeq = 0;
const writesWaiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
/** SQLite: the main thread hands the records to the writer thread, which commits them. */
const writeThroughMainThread = (writes: readonly OutboxWrite[]): Promise<void> =>
  new Promise((resolve, reject) => {
    const seq = ++writeSeq;
    writesWaiting.set(seq, { resolve, reject });
    post({ kind: "write", seq, writes });
  });

async function load(): Promise<ReceiverConfig> {
  const loaded = await loadReceiverConfig(data.configFile, { env: data.env });
  if (!loaded.ok)
    throw new Error(
      `cannot load ${data.configFile}: ${loaded.diagnostics.map((d) => d.message).join("; ")}`,
    );
  return loaded.config;
}

/** The thread's side of the store: what delivery reads, where its records go, closing. */
interface ThreadStore {
  readonly reads: DeliveryReads;
  readonly write: (writes: readonly OutboxWrite[]) => Promise<void>;
  readonly close: () => Promise<void>;
}

/**
 * Connections of the thread's own PostgreSQL pool: delivery runs one query at a time per
 * destination being drained. They come on top of `max_connections`, which is the main
 * thread's pool (docs/webhook-receiver.md).
 */
const POSTGRES_DELIVERY_CONNECTIONS = 4;

async function openThreadStore(storage: ReceiverConfig["storage"]): Promise<ThreadStore> {
  if (storage.kind === "sqlite") {
    const db = openDatabase(storage.path, storage.synchronous);
    // Reads only: every write goes through the writer thread, as the main thread's do.
    db.pragma("query_only = ON");
    return {
      reads: sqliteDeliveryReads(new OutboxStore(db)),
      write: writeThroughMainThread,
      close: () => {
        db.close();
        return Promise.resolve();
      },
    };
  }
  // A database shared by replicas is written by each connection itself: the thread
  // records its sends on its own pool, as the event loop would.
  const { PostgresReceiverStore } = await import("../store/postgres/postgres-receiver-store.js");
  const store = PostgresReceiverStore.attach(
    storage.url,
    POSTGRES_DELIVERY_CONNECTIONS,
    storage.preparedStatements,
  );
  return {
    reads: store,
    write: (writes) => store.recordOutbox(writes),
    close: () => store.close(),
  };
}

async function main(): Promise<void> {
  let config: ReceiverConfig;
  let store: ThreadStore;
  try {
    config = await load();
    store = await openThreadStore(config.storage);
  } catch (error) {
    post({ kind: "failed", message: (error as Error).message });
    return;
  }
  const destinations = new DestinationSet(
    {
      http: createHttpClient({ userAgent: userAgent(data.version) }),
      stdout: (text) => post({ kind: "stdout", text }),
    },
    Date.now,
  );
  destinations.apply(config);
  for (const d of config.destinations) builtinTemplates(d.type);
  const current = (): ReceiverConfig => config;
  const worker = new DeliveryWorker({
    outbox: store.reads,
    write: store.write,
    owner: data.owner,
    destinations,
    config: current,
    metrics,
    logger,
    now: Date.now,
    random: Math.random,
    incidentLink: incidentLinkOf(current),
    // No acks share this thread's event loop.
    yieldToAcks: () => Promise.resolve(),
    ...(data.pollMs !== undefined ? { pollMs: data.pollMs } : {}),
  });
  let reloading = Promise.resolve();
  port?.on("message", (message: ToDeliveryThread) => {
    switch (message.kind) {
      case "start":
        worker.start();
        return;
      case "wake":
        worker.wake();
        return;
      case "written": {
        const waiting = writesWaiting.get(message.seq);
        writesWaiting.delete(message.seq);
        if (message.error === undefined) waiting?.resolve();
        else waiting?.reject(new Error(message.error));
        return;
      }
      case "reload":
        // In order: a second reload applies after the first.
        reloading = reloading.then(async () => {
          try {
            config = await load();
            destinations.apply(config);
            worker.wake();
          } catch (error) {
            logger.error("the delivery thread keeps its previous config", { error });
          }
          post({ kind: "reloaded" });
        });
        return;
      case "stop":
        void reloading
          .then(() => worker.stop())
          .finally(() =>
            store
              .close()
              .catch((error: unknown) =>
                logger.error("cannot close the delivery thread's storage", { error }),
              )
              .finally(() => {
                flushMetrics();
                post({ kind: "stopped" });
                port?.close();
              }),
          );
        return;
    }
  });
  post({ kind: "ready" });
}

void main();
