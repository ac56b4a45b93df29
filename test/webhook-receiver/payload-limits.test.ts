import { Worker } from "node:worker_threads";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_PAYLOAD_LIMITS } from "../../webhook-receiver/payload/payload-limits.js";
import { parseWebhookPayload } from "../../webhook-receiver/payload/parse-payload.js";
import { measureLoopBlocking } from "../support/event-loop-blocking.js";
import { makeTempDir } from "../support/temp-dir.js";
import type { TempDir } from "../support/temp-dir.js";
import { waitFor } from "../support/wait-for.js";
import { startGenericWebhookStandIn } from "./platforms/generic-webhook.js";
import type { StandIn } from "./platforms/stand-in-server.js";
import { configHead, startHarness, TOKEN } from "./receiver-harness.js";
import type { Harness } from "./receiver-harness.js";
import { SECRETS } from "./stand-ins.js";
import { storeBackends } from "./store-backends.js";

const LIMITS = DEFAULT_PAYLOAD_LIMITS;

/** An Alertmanager group of `alerts` alerts with `labels` labels of `length` characters each. */
function group(alerts: number, labels: number, length: number, tag: string) {
  const value = (i: number, j: number) =>
    `${tag}-${i}-${j}-`.padEnd(length - `l${j}`.length, "x").slice(0, length - `l${j}`.length);
  return {
    version: "4",
    groupKey: `{}:{alertname="Big${tag}"}`,
    status: "firing",
    receiver: "aiwatch",
    groupLabels: { alertname: `Big${tag}` },
    commonLabels: { alertname: `Big${tag}` },
    commonAnnotations: {},
    externalURL: "http://alertmanager.example:9093",
    truncatedAlerts: 0,
    alerts: Array.from({ length: alerts }, (_, i) => ({
      status: "firing",
      labels: {
        alertname: `Big${tag}`,
        ...Object.fromEntries(Array.from({ length: labels - 1 }, (_, j) => [`l${j}`, value(i, j)])),
      },
      annotations: { summary: `alert ${i} of a large group` },
      startsAt: "2026-11-22T03:00:00.000Z",
      endsAt: "0001-01-01T00:00:00Z",
      generatorURL: "http://prometheus.example:9090/graph?g0.expr=up",
    })),
  };
}

describe.each(storeBackends())("bounded work per request ($name store)", (backend) => {
  backend.setup();
  let dir: TempDir;
  let standIn: StandIn & { url: string };
  let harness: Harness;
  beforeEach(async () => {
    if (!backend.available) return;
    dir = makeTempDir("receiver-limits");
    standIn = await startGenericWebhookStandIn(SECRETS.webhookToken);
    harness = await startHarness(
      dir.path,
      `${configHead(dir.path, "", await backend.storageYaml(dir.path))}destinations:
  - name: inhouse
    type: webhook
    url: { env: WEBHOOK_URL }
    headers: { Authorization: { env: WEBHOOK_AUTH } }
    # One message a minute: the large groups of the event-loop test wait in the outbox.
    rate_limit: { per_minute: 1, burst: 1 }
default_route:
  destinations: [inhouse]
`,
      { env: { WEBHOOK_URL: standIn.url, WEBHOOK_AUTH: `Bearer ${SECRETS.webhookToken}` } },
    );
  });
  afterEach(async () => {
    if (!backend.available) return;
    await harness.receiver.stop();
    await standIn.close();
    dir.remove();
  });

  it.skipIf(!backend.available)(
    "refuses what exceeds a limit with 413 naming it, and counts it",
    async () => {
      const cases = [
        [group(LIMITS.maxAlertsPerGroup + 1, 2, 20, "a"), "max_alerts_per_group", "alerts"],
        [
          group(1, LIMITS.maxLabelsPerAlert + 1, 20, "b"),
          "max_labels_per_alert",
          "alerts[0].labels",
        ],
        [group(1, 3, LIMITS.maxLabelLength + 1, "c"), "max_label_length", "alerts[0].labels.l0"],
        // The group's and alerts' other strings are bounded too.
        [
          { ...group(1, 2, 10, "f"), receiver: "r".repeat(LIMITS.maxLabelLength + 1) },
          "max_label_length",
          "receiver",
        ],
        [
          {
            ...group(1, 2, 10, "g"),
            groupKey: "{}:{}".padEnd(LIMITS.maxAnnotationLength + 1, "k"),
          },
          "max_annotation_length",
          "groupKey",
        ],
        [
          (() => {
            const body = group(1, 2, 10, "h");
            (body.alerts[0] as Record<string, unknown>)["generatorURL"] =
              `http://prometheus:9090/graph?g0.expr=${"x".repeat(LIMITS.maxAnnotationLength)}`;
            return body;
          })(),
          "max_annotation_length",
          "alerts[0].generatorURL",
        ],
      ] as const;
      // The stall: one alert with 50,000 labels, under the body limit.
      const fiftyThousand = group(1, 50_000, 12, "d");
      for (const [body, limit, path] of cases) {
        const response = await harness.post(body);
        expect(response.status, limit).toBe(413);
        const answer = (await response.json()) as { error: string; errorType: string };
        expect(answer.errorType).toBe("limit-exceeded");
        expect(answer.error).toContain(`${path}:`);
        expect(answer.error).toContain(`limits.${limit} (`);
      }
      const huge = await harness.post(fiftyThousand);
      expect(huge.status).toBe(413);
      const annotation = group(1, 2, 10, "e");
      (annotation.alerts[0]?.annotations as Record<string, string>)["description"] = "y".repeat(
        LIMITS.maxAnnotationLength,
      );
      const tooLong = await harness.post(annotation);
      expect(tooLong.status).toBe(413);
      expect(((await tooLong.json()) as { error: string }).error).toContain(
        "alerts[0].annotations.description: name and value are",
      );
      const metrics = await (await fetch(`${harness.receiver.url}/metrics`)).text();
      for (const [limit, count] of [
        ["max_alerts_per_group", 1],
        ["max_labels_per_alert", 2],
        ["max_label_length", 2],
        ["max_annotation_length", 3],
      ] as const)
        expect(metrics).toContain(
          `aiwatch_receiver_payload_limit_refusals_total{limit="${limit}"} ${count}`,
        );
      expect(metrics).toContain(
        'aiwatch_receiver_requests_rejected_total{reason="limit_exceeded",endpoint="alerts"} 8',
      );
      expect(await harness.receiver.store.history(0)).toEqual([]);
    },
  );

  it.skipIf(!backend.available)(
    "accepts the largest payloads it allows without blocking the event loop for 50 ms",
    async () => {
      // The destination's one token goes to a first, small group: the large ones then wait
      // in the outbox, so what is measured is accepting them (parse, limits, validation,
      // fingerprints, storage, routing), not rendering them for a platform.
      expect((await harness.post(group(1, 2, 10, "first"))).status).toBe(200);
      await waitFor("the first group delivered", () =>
        standIn.accepted.length === 1 ? true : undefined,
      );
      // Within every limit and just under the 4 MiB body limit: the most alerts (the
      // maximum count, 4 labels each), the widest alerts (1,000 of 48 labels); and the
      // longest labels (64 of the maximum length).
      const most = JSON.stringify(group(LIMITS.maxAlertsPerGroup, 4, 20, "m"));
      const widest = JSON.stringify(group(1000, 48, 64, "w"));
      const longest = JSON.stringify(
        group(1, LIMITS.maxLabelsPerAlert, LIMITS.maxLabelLength, "l"),
      );
      for (const body of [most, widest]) {
        expect(Buffer.byteLength(body)).toBeGreaterThan(3_000_000);
        expect(Buffer.byteLength(body)).toBeLessThan(4 * 1024 * 1024);
      }
      const bodies = [most, widest, longest];
      // Sent from a thread of its own: encoding and writing 7 MB of requests is the client's
      // work, and it would otherwise be measured as the receiver's.
      const poster = await startPoster(`${harness.receiver.url}/api/v1/alerts`, TOKEN, bodies);
      const blocking = await measureLoopBlocking(async () => {
        expect(await poster.post()).toEqual([200, 200, 200]);
        await waitFor("the large groups routed into the outbox", async () => {
          const counts = await harness.receiver.store.countsByDestination();
          return counts.some((c) => c.state === "pending" && c.count === 3) ? true : undefined;
        });
      });
      await poster.close();
      console.log(
        `event loop while accepting the largest allowed payloads: blocked at most ${blocking.maxBlockedMs.toFixed(1)} ms (${blocking.basis}); wall-clock delay max ${blocking.wallMaxMs.toFixed(1)} ms, p99 ${blocking.wallP99Ms.toFixed(1)} ms`,
      );
      expect(blocking.maxBlockedMs).toBeLessThan(50);
    },
  );
});

/** Posts the bodies concurrently from a worker thread, when told to; answers the statuses. */
async function startPoster(
  url: string,
  token: string,
  bodies: readonly string[],
): Promise<{ post(): Promise<number[]>; close(): Promise<number> }> {
  const worker = new Worker(
    `const { parentPort, workerData } = require("node:worker_threads");
     parentPort.once("message", async () => {
       const statuses = await Promise.all(workerData.bodies.map(async (body) => {
         const response = await fetch(workerData.url, {
           method: "POST",
           body,
           headers: { "content-type": "application/json", authorization: "Bearer " + workerData.token },
         });
         await response.arrayBuffer();
         return response.status;
       }));
       parentPort.postMessage(statuses);
     });
     parentPort.postMessage("ready");`,
    { eval: true, workerData: { url, token, bodies } },
  );
  await new Promise((resolve) => worker.once("message", resolve));
  return {
    post: () =>
      new Promise<number[]>((resolve, reject) => {
        worker.once("message", resolve);
        worker.once("error", reject);
        worker.postMessage("go");
      }),
    close: () => worker.terminate(),
  };
}

describe("payloads without alerts[].status", () => {
  it("take the group's status, as prometheus-msteams' own test request needs", () => {
    // The shape of prometheus-msteams' pkg/card/testdata/prom_post_request.json: a
    // hand-written group whose alerts carry no status (and no fingerprint).
    const parsed = parseWebhookPayload({
      version: "4",
      groupKey: '{}:{alertname="high_memory_load"}',
      status: "firing",
      receiver: "teams_proxy",
      groupLabels: { alertname: "high_memory_load" },
      commonLabels: { alertname: "high_memory_load", severity: "warning" },
      commonAnnotations: { summary: "Server High Memory usage" },
      externalURL: "http://alertmanager.example:9093",
      alerts: [
        {
          labels: { alertname: "high_memory_load", instance: "node-1", severity: "warning" },
          annotations: { summary: "Server High Memory usage" },
          startsAt: "2018-03-07T06:33:21.873077559-05:00",
          endsAt: "0001-01-01T00:00:00Z",
        },
      ],
    });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.notification.alerts.map((a) => a.status)).toEqual(["firing"]);
    // Without a group status there is nothing to fall back on: both are reported.
    const neither = parseWebhookPayload({
      version: "4",
      receiver: "r",
      alerts: [{ labels: { alertname: "x" }, startsAt: "2026-11-22T03:00:00Z" }],
    });
    expect(neither.ok).toBe(false);
    if (neither.ok) return;
    expect(neither.diagnostics.map((d) => d.path)).toEqual([["status"], ["alerts", 0, "status"]]);
  });
});
