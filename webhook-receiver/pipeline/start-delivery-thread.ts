import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Logger } from "../../core/log/logger.js";
import type { OutboxWrite } from "../store/outbox-writes.js";
import type {
  DeliveryThreadData,
  FromDeliveryThread,
  MetricUpdate,
  ToDeliveryThread,
} from "./delivery-thread-messages.js";
import type {
  CountsByLabel,
  DeliveryMetrics,
  DeliveryRunner,
  ObservesByLabel,
} from "./delivery-worker.js";

export interface DeliveryThreadDeps {
  readonly data: DeliveryThreadData;
  /** Commits the thread's outbox records (the writer thread, as for in-thread delivery). */
  readonly write: (writes: readonly OutboxWrite[]) => Promise<void>;
  readonly metrics: DeliveryMetrics;
  readonly logger: Logger;
  readonly stdout: (text: string) => void;
  /** Delivery on the event loop: used when the thread cannot start or dies. */
  readonly fallback: () => DeliveryRunner;
}

/**
 * Runs the delivery worker in a thread of its own (delivery-thread.ts). At 1,000 webhooks
 * a second, reading the outbox, rendering digests and sending them kept the event loop
 * busy in stretches of several milliseconds, and every ack that arrived meanwhile waited:
 * in the ack bench, the durable ack's p99 was 20 ms with delivery on the event loop and 8
 * ms without it. Undefined when the compiled thread script is not there (sources run by a
 * test runner before a build): the receiver then delivers on the event loop.
 *
 * If the thread cannot start (its config load or database open failed) or dies, delivery
 * falls back to the event loop at once, logged and counted; a message the thread was
 * sending when it died is sent again (at least once, as after a crash).
 */
export function startDeliveryThread(deps: DeliveryThreadDeps): DeliveryRunner | undefined {
  const script = compiledThreadPath();
  if (!script) return undefined;
  const thread = new Worker(script, { workerData: deps.data });
  let started = false;
  let stopping: Promise<void> | undefined;
  let fallback: DeliveryRunner | undefined;
  /** Reloads sent to the thread and not yet applied there, oldest first. */
  const reloads: (() => void)[] = [];
  const send = (message: ToDeliveryThread): void => thread.postMessage(message);

  const fallBack = (reason: string): void => {
    if (fallback || stopping) return;
    deps.metrics.storageErrors.inc({ operation: "deliver" });
    deps.logger.error("the delivery thread stopped; delivering on the main thread", { reason });
    fallback = deps.fallback();
    if (started) fallback.start();
    // The event loop's delivery reads the main thread's config: a reload is applied there.
    for (const resolve of reloads.splice(0)) resolve();
    void thread.terminate();
  };
  const apply = metricApplier(deps.metrics);
  thread.on("message", (message: FromDeliveryThread) => {
    switch (message.kind) {
      case "ready":
      case "stopped":
        return;
      case "reloaded":
        reloads.shift()?.();
        return;
      case "failed":
        fallBack(message.message);
        return;
      case "write":
        deps.write(message.writes).then(
          () => send({ kind: "written", seq: message.seq }),
          (error: unknown) =>
            send({ kind: "written", seq: message.seq, error: (error as Error).message }),
        );
        return;
      case "metrics":
        for (const update of message.updates) apply(update);
        return;
      case "log":
        deps.logger[message.level](message.message, message.fields);
        return;
      case "stdout":
        deps.stdout(message.text);
        return;
    }
  });
  thread.on("error", (error) => fallBack(error.message));
  thread.on("exit", (code) => fallBack(`the thread exited (code ${code})`));

  return {
    start: () => {
      started = true;
      if (fallback) fallback.start();
      else send({ kind: "start" });
    },
    wake: () => {
      if (fallback) fallback.wake();
      else if (!stopping) send({ kind: "wake" });
    },
    configChanged: () => {
      if (fallback) return fallback.configChanged();
      if (stopping) return Promise.resolve();
      return new Promise<void>((resolve) => {
        reloads.push(resolve);
        send({ kind: "reload" });
      });
    },
    where: () => fallback?.where() ?? "thread",
    stop: () => {
      if (fallback) return fallback.stop();
      stopping ??= new Promise<void>((resolve) => {
        thread.once("exit", () => resolve());
        // The thread waits for its sends in flight, then closes its connection and says so;
        // an idle keep-alive socket of its HTTP client must not keep it alive after that.
        thread.on("message", (message: FromDeliveryThread) => {
          if (message.kind === "stopped") void thread.terminate();
        });
        send({ kind: "stop" });
      });
      return stopping;
    },
  };
}

/** Applies the thread's metric updates to the main thread's registry. */
function metricApplier(metrics: DeliveryMetrics): (update: MetricUpdate) => void {
  const counters: Record<string, CountsByLabel<string> | undefined> = {
    storageErrors: metrics.storageErrors,
    templateFallbacks: metrics.templateFallbacks,
    trimmed: metrics.trimmed,
    digests: metrics.digests,
    coalesced: metrics.coalesced,
    splits: metrics.splits,
    deliveries: metrics.deliveries,
  };
  const histograms: Record<string, ObservesByLabel<string> | undefined> = {
    deliveryDuration: metrics.deliveryDuration,
  };
  return (update) => {
    counters[update.metric]?.inc(update.labels, update.value);
    histograms[update.metric]?.observe(update.labels, update.value);
  };
}

function compiledThreadPath(): string | undefined {
  const here = fileURLToPath(import.meta.url);
  const candidate = here.endsWith(".ts")
    ? here.replace(
        /([/\\])webhook-receiver([/\\]pipeline[/\\])start-delivery-thread\.ts$/,
        "$1dist$1webhook-receiver$2delivery-thread.js",
      )
    : here.replace(/start-delivery-thread\.js$/, "delivery-thread.js");
  return candidate !== here && existsSync(candidate) ? candidate : undefined;
}
