import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../core/log/logger.js";
import { createMetricsRegistry } from "../../core/metrics/metrics-registry.js";
import type { HttpRequest } from "../../webhook-receiver/destinations/http-client.js";
import { filingFacts } from "../../webhook-receiver/incidents/incident-filing.js";
import type { Alert } from "../../webhook-receiver/payload/notification.js";
import { recordOf } from "../../webhook-receiver/payload/prepare-notification.js";
import { DeliveryWorker } from "../../webhook-receiver/pipeline/delivery-worker.js";
import { DestinationSet } from "../../webhook-receiver/pipeline/destination-set.js";
import { ReceiverMetrics } from "../../webhook-receiver/server/receiver-metrics.js";
import type { ReceiverStore } from "../../webhook-receiver/store/receiver-store.js";
import { makeTempDir } from "../support/temp-dir.js";
import type { TempDir } from "../support/temp-dir.js";
import { loadConfigText } from "./receiver-harness.js";
import { notification } from "./sample-notifications.js";
import { storeBackends } from "./store-backends.js";

const T0 = 1_800_000_000_000;
const GROUP = '{}:{alertname="GpuHot"}';

function alert(fp: string, status: "firing" | "resolved" = "firing"): Alert {
  return {
    status,
    labels: { alertname: "GpuHot", gpu: fp },
    annotations: {},
    startsAt: "2026-11-22T03:00:00.000Z",
    ...(status === "resolved" ? { endsAt: "2026-11-22T03:30:00.000Z" } : {}),
    fingerprint: fp,
  };
}

/** Three messages of one group, all due at once: A fires, B joins, A resolves. */
const EPISODE = [[alert("A")], [alert("A"), alert("B")], [alert("A", "resolved"), alert("B")]].map(
  (alerts) => notification(alerts, { groupKey: GROUP, groupLabels: { alertname: "GpuHot" } }),
);

/**
 * The delivery worker sends the messages of one read of the outbox one by one: each
 * message shows the group as the one before it left its channel, every message goes once
 * and in order, and the outbox is read once for all of them (not once per message).
 */
describe.each(storeBackends())("delivery from one page of the outbox, $name", (backend) => {
  backend.setup();
  let dir: TempDir;
  let store: ReceiverStore;
  beforeEach(async () => {
    dir = makeTempDir("delivery-page");
    if (backend.available) store = await backend.open(dir.path);
  });
  afterEach(async () => {
    await store?.close();
    dir.remove();
  });

  it.runIf(backend.available)(
    "sends each message once, in order, each with the group as the previous one left it",
    async () => {
      const records = EPISODE.map((n, i) => ({ ...recordOf(n), receivedAt: T0 + i }));
      const accepted = await store.accept(records, T0 - 3_600_000, {
        owner: "here",
        until: T0 + 30_000,
      });
      await store.route(
        accepted.map((r, i) => ({
          id: r.id,
          enrichment: null,
          routed: [{ destination: "chat", routeId: "default" }],
          filing: filingFacts(EPISODE[i] ?? EPISODE[0]!),
        })),
        T0,
      );

      const config = await loadConfigText(
        dir.path,
        // The store is opened above; the worker is given it, not this section.
        `web:
  auth:
    bearer_tokens: [{ env: RECEIVER_TOKEN }]
storage:
  path: ${dir.path}/unused.db
destinations:
  - name: chat
    type: webhook
    url: { env: HOOK_URL }
    rate_limit: { per_minute: 6000, burst: 100 }
default_route:
  destinations: [chat]
`,
        { HOOK_URL: "http://127.0.0.1:9/hook" },
      );
      const sent: HttpRequest[] = [];
      const now = () => T0 + 1000;
      const destinations = new DestinationSet(
        {
          http: (request) => {
            sent.push(request);
            return Promise.resolve({ status: 200, headers: {}, body: "ok" });
          },
          stdout: () => undefined,
        },
        now,
      );
      destinations.apply(config);
      let reads = 0;
      const outbox: ReceiverStore = Object.create(store) as ReceiverStore;
      Object.assign(outbox, {
        due: (...args: Parameters<ReceiverStore["due"]>) => {
          reads++;
          return store.due(...args);
        },
      });
      const registry = createMetricsRegistry();
      const worker = new DeliveryWorker({
        outbox,
        write: (writes) => store.recordOutbox(writes),
        owner: "here",
        destinations,
        config: () => config,
        metrics: new ReceiverMetrics(
          registry,
          () =>
            Promise.resolve({
              pending: new Map(),
              dead: new Map(),
              oldestPendingSeconds: new Map(),
            }),
          () => ["chat"],
        ),
        logger: createLogger({ component: "test", level: "error", write: () => undefined }),
        now,
        random: () => 0.5,
        pollMs: 10,
      });
      worker.start();
      await expect.poll(() => sent.length, { timeout: 10_000 }).toBe(3);
      await expect.poll(async () => (await store.delivered()).length, { timeout: 10_000 }).toBe(3);
      await worker.stop();

      const bodies = sent.map(
        (r) =>
          JSON.parse(r.body) as {
            text: string;
            notifications: { alerts: { fingerprint: string; status: string }[] }[];
          },
      );
      // One message per notification, in the order they came.
      expect(bodies.map((b) => b.notifications.length)).toEqual([1, 1, 1]);
      expect(
        bodies.map((b) => b.notifications[0]?.alerts.map((a) => `${a.fingerprint}:${a.status}`)),
      ).toEqual([["A:firing"], ["A:firing", "B:firing"], ["A:resolved", "B:firing"]]);
      // Each shows what the one before it left in the channel.
      expect(bodies[0]?.text).toContain("1 firing (1 new, 0 still firing)");
      expect(bodies[1]?.text).toContain("2 firing (1 new, 1 still firing)");
      expect(bodies[2]?.text).toContain("1 firing (0 new, 1 still firing)");
      // What the page kept is what the store now says the channel shows.
      expect([...(await store.previouslyFiring("chat", GROUP))]).toEqual(["B"]);
      // One read for the three (and at most one more that found nothing due).
      expect(reads).toBeLessThanOrEqual(2);
    },
  );
});
