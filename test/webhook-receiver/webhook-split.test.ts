import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freePort } from "../support/free-port.js";
import type { ManagedProcess } from "../support/managed-process.js";
import { makeTempDir } from "../support/temp-dir.js";
import type { TempDir } from "../support/temp-dir.js";
import { waitFor } from "../support/wait-for.js";
import { startReceiverProcess } from "./receiver-process.js";
import { startGenericWebhookStandIn } from "./platforms/generic-webhook.js";
import type { ReceivedRequest, StandIn } from "./platforms/stand-in-server.js";
import { startHarness, TOKEN, webhookConfig } from "./receiver-harness.js";
import type { Harness } from "./receiver-harness.js";
import { webhookPayload } from "./sample-notifications.js";
import { SECRETS } from "./stand-ins.js";

/**
 * The generic webhook's size limit covers the whole request body, the alerts as data
 * included: a 6,000-alert group (about 2.5 MB as sent) goes to an endpoint that refuses
 * bodies over 1 MiB as `notifications[]` chunks, each alert in exactly one delivered part,
 * across a failed part, a "too large" answer and a SIGKILL between parts.
 */
const MIB = 1024 * 1024;
const ALERTS = 6000;

let dir: TempDir;
let hook: StandIn & { url: string };
let harness: Harness | undefined;
beforeEach(async () => {
  dir = makeTempDir("receiver-webhook-split");
  hook = await startGenericWebhookStandIn(SECRETS.webhookToken, { maxBodyBytes: MIB });
});
afterEach(async () => {
  await harness?.receiver.stop();
  harness = undefined;
  await hook.close();
  dir.remove();
});

const config = (maxSize = ""): string => webhookConfig(dir.path, { destinationExtra: maxSize });

const env = () => ({ WEBHOOK_URL: hook.url, WEBHOOK_AUTH: `Bearer ${SECRETS.webhookToken}` });

function bigGroup() {
  return webhookPayload({
    groupLabels: { alertname: "NodeExporterScrapeFailed" },
    alerts: Array.from({ length: ALERTS }, (_, i) => ({
      name: "NodeExporterScrapeFailed",
      labels: {
        instance: `node-${i}.cluster.example:9100`,
        marker: `m${i}`,
        severity: i % 5 === 0 ? "critical" : "warning",
      },
      annotations: {
        summary: `node-exporter on node-${i} has not been scraped for 5 minutes`,
        description: "The target is down or its /metrics endpoint times out.",
      },
    })),
  });
}

interface Body {
  idempotencyKey: string;
  part?: { index: number; total: number };
  text: string;
  notifications: { alerts: { labels: Record<string, string> }[] }[];
}

const bodyOf = (request: ReceivedRequest): Body => request.json as Body;
const markersOf = (request: ReceivedRequest): string[] =>
  bodyOf(request).notifications.flatMap((n) => n.alerts.map((a) => a.labels["marker"] ?? ""));

/** How many accepted requests carry each alert, as data. */
function appearances(): number[] {
  const count = new Map<string, number>();
  for (const m of hook.accepted)
    for (const marker of markersOf(m.request)) count.set(marker, (count.get(marker) ?? 0) + 1);
  return Array.from({ length: ALERTS }, (_, i) => count.get(`m${i}`) ?? 0);
}

function expectEachAlertOnce(): void {
  const counts = appearances();
  expect(counts.filter((c) => c === 0).length, "alerts never delivered").toBe(0);
  expect(counts.filter((c) => c > 1).length, "alerts delivered twice").toBe(0);
  for (const m of hook.accepted) {
    expect(Buffer.byteLength(m.request.body)).toBeLessThanOrEqual(MIB);
    const body = bodyOf(m.request);
    // Header and body carry the same key; each part has its own.
    expect(m.request.headers["idempotency-key"]).toBe(body.idempotencyKey);
    expect(body.text).toMatch(/part \d+\/\d+/);
  }
  const keys = hook.accepted.map((m) => bodyOf(m.request).idempotencyKey);
  expect(new Set(keys).size).toBe(keys.length);
}

async function waitDelivered(h: Harness): Promise<void> {
  await waitFor(
    "the delivery to finish",
    () => {
      const rows = h.receiver.database
        .prepare<[], { state: string }>("SELECT state FROM deliveries")
        .all();
      return rows.length === 1 && rows[0]?.state === "delivered" ? true : undefined;
    },
    { timeoutMs: 60_000 },
  );
}

describe("a 6,000-alert group to a webhook that refuses bodies over 1 MiB", () => {
  it("is split into notifications[] chunks within the limit, each alert delivered once, across a failed part", async () => {
    // Part 1 is accepted, part 2 fails (a transient 500) and is retried.
    hook.passNext(1);
    hook.failNext("server-error");
    harness = await startHarness(dir.path, config(), { env: env() });
    const payload = bigGroup();
    expect(Buffer.byteLength(JSON.stringify(payload))).toBeGreaterThan(MIB);
    expect((await harness.post(payload)).status).toBe(200);
    await waitDelivered(harness);
    // The limit held from the first request: nothing was refused for its size.
    expect(hook.rejected).toEqual([]);
    expect(hook.accepted.length).toBeGreaterThan(1);
    expectEachAlertOnce();
    // The retried part is the part that failed: same key, same alerts.
    const failed = hook.requests[1];
    const retried = hook.accepted.find(
      (m) => failed && bodyOf(m.request).idempotencyKey === bodyOf(failed).idempotencyKey,
    );
    expect(retried && failed ? markersOf(retried.request) : []).toEqual(
      failed ? markersOf(failed) : ["(no failed request)"],
    );
    const parts = hook.accepted.map((m) => bodyOf(m.request).part);
    expect(parts.map((p) => p?.index)).toEqual(parts.map((_, i) => i + 1));
  }, 120_000);

  it("shrinks and re-splits the rest after a 413, when max_size is set above what the endpoint takes", async () => {
    harness = await startHarness(dir.path, config("\n    max_size: 3145728"), { env: env() });
    expect((await harness.post(bigGroup())).status).toBe(200);
    await waitDelivered(harness);
    expect(hook.rejected.length).toBeGreaterThanOrEqual(1);
    expect(hook.rejected.every((r) => r.answer.status === 413)).toBe(true);
    expectEachAlertOnce();
  }, 120_000);
});

describe("a split webhook delivery killed between parts", () => {
  let receiver: ManagedProcess | undefined;
  afterEach(async () => {
    await receiver?.stop();
    receiver = undefined;
  });

  function start(port: number): Promise<ManagedProcess> {
    return startReceiverProcess(join(dir.path, "receiver.yaml"), port, {
      ...process.env,
      RECEIVER_TOKEN: TOKEN,
      ...env(),
    });
  }

  it("re-sends the part in flight with the same key and alerts after a restart, and each alert lands once", async () => {
    writeFileSync(
      join(dir.path, "receiver.yaml"),
      config()
        .replace("synchronous: normal", "synchronous: full")
        .replace("timeout: 5s", "timeout: 60s"),
    );
    const port = await freePort();
    receiver = await start(port);
    // Part 1 is accepted; part 2 is in flight, unanswered, when the receiver dies.
    hook.passNext(1);
    hook.failNext("hang");
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(bigGroup()),
    });
    expect(response.status).toBe(200);
    await waitFor("part 2 in flight", () => (hook.requests.length === 2 ? true : undefined), {
      timeoutMs: 60_000,
    });
    receiver.child.kill("SIGKILL");
    await waitFor("the process to die", () =>
      receiver?.child.signalCode === "SIGKILL" ? true : undefined,
    );
    receiver = await start(port);
    const inFlight = hook.requests[1];
    if (!inFlight) throw new Error("no request in flight");
    await waitFor(
      "every alert delivered",
      () => (appearances().every((c) => c >= 1) ? true : undefined),
      { timeoutMs: 60_000 },
    );
    expectEachAlertOnce();
    const resent = hook.accepted.find(
      (m) => bodyOf(m.request).idempotencyKey === bodyOf(inFlight).idempotencyKey,
    );
    expect(resent, "the part in flight, re-sent under its key").toBeDefined();
    expect(resent ? markersOf(resent.request) : []).toEqual(markersOf(inFlight));
  }, 180_000);
});
