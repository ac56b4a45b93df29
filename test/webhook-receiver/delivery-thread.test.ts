import { rmSync, writeFileSync } from "node:fs";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { databaseName, requirePostgres, startTestPostgres } from "../support/postgres.js";
import type { PostgresInstance } from "../support/postgres.js";
import { makeTempDir } from "../support/temp-dir.js";
import type { TempDir } from "../support/temp-dir.js";
import { waitFor } from "../support/wait-for.js";
import { startGenericWebhookStandIn } from "./platforms/generic-webhook.js";
import type { StandIn } from "./platforms/stand-in-server.js";
import { startHarness, webhookConfig } from "./receiver-harness.js";
import type { Harness } from "./receiver-harness.js";
import { webhookPayload } from "./sample-notifications.js";
import { SECRETS } from "./stand-ins.js";

/**
 * Delivery in a thread of its own (what `aiwatch receiver` runs): messages rendered and
 * sent there, their outbox records committed by the writer, their metrics in the main
 * registry, their logs in the main log (redacted there), a reload followed, and delivery
 * taken back onto the event loop when the thread cannot run; on PostgreSQL, a pool of the
 * thread's own that reads and records. Needs the build (`npm test` builds first): the
 * thread runs the compiled dist/webhook-receiver/pipeline/delivery-thread.js.
 */
let dir: TempDir;
let hook: StandIn & { url: string };
let other: StandIn & { url: string };
let harness: Harness | undefined;
beforeEach(async () => {
  dir = makeTempDir("receiver-delivery-thread");
  hook = await startGenericWebhookStandIn(SECRETS.webhookToken);
  other = await startGenericWebhookStandIn(SECRETS.webhookToken);
});
afterEach(async () => {
  await harness?.receiver.stop();
  harness = undefined;
  await hook.close();
  await other.close();
  dir.remove();
});

const config = (urlVariable = "WEBHOOK_URL"): string => webhookConfig(dir.path, { urlVariable });

const env = () => ({
  WEBHOOK_URL: hook.url,
  OTHER_URL: other.url,
  WEBHOOK_AUTH: `Bearer ${SECRETS.webhookToken}`,
});

const alert = (name: string) =>
  webhookPayload({
    alerts: [
      { name, labels: { instance: "gpu-node-7:9400", severity: "critical" } },
      { name, labels: { instance: "gpu-node-8:9400", severity: "critical" } },
    ],
  });

async function metric(h: Harness, line: RegExp): Promise<number | undefined> {
  const text = await h.receiver.registry.text.metrics();
  const found = text.split("\n").find((l) => line.test(l));
  return found === undefined ? undefined : Number(found.split(" ").pop());
}

const delivered =
  /^aiwatch_receiver_delivery_attempts_total\{destination="inhouse",type="webhook",outcome="delivered"\}/;
const retried =
  /^aiwatch_receiver_delivery_attempts_total\{destination="inhouse",type="webhook",outcome="retry"\}/;

describe("the delivery thread", () => {
  it("delivers, with its records, metrics and logs on the main thread, across a retry", async () => {
    hook.failNext("server-error");
    harness = await startHarness(dir.path, config(), { env: env(), deliveryThread: true });
    expect(harness.receiver.deliveryPlace(), "built? npm test builds first").toBe("thread");
    expect((await harness.post(alert("GpuXidErrors"))).status).toBe(200);
    const h = harness;
    await waitFor("the retried delivery", () => (hook.accepted.length === 1 ? true : undefined));
    // The outcome was committed (by the writer thread) before the counter could say so.
    await waitFor("the delivered record", () =>
      h.receiver.database
        .prepare<[], { state: string }>("SELECT state FROM deliveries")
        .all()
        .every((r) => r.state === "delivered")
        ? true
        : undefined,
    );
    await waitFor("the relayed metrics", async () =>
      (await metric(h, delivered)) === 1 ? true : undefined,
    );
    expect(await metric(h, retried)).toBe(1);
    expect(
      await metric(
        h,
        /^aiwatch_receiver_delivery_duration_seconds_count\{destination="inhouse",type="webhook"\}/,
      ),
    ).toBe(2);
    expect(hook.accepted[0]?.text).toContain("GpuXidErrors");
    // Logged by the main thread's logger: its format, its redaction.
    const retryLog = h.logs.find((l) => l.includes("delivery failed; will retry"));
    expect(retryLog).toBeDefined();
    expect(JSON.parse(retryLog ?? "{}")).toMatchObject({
      level: "warn",
      component: "webhook-receiver",
      destination: "inhouse",
    });
    expect(h.logs.some((l) => l.includes('"msg":"delivered"'))).toBe(true);
    expect(h.logs.join("\n")).not.toContain(SECRETS.webhookToken);
  });

  it("logs a send at debug: at level info only the retry's warning reaches the log", async () => {
    hook.failNext("server-error");
    harness = await startHarness(dir.path, config(), {
      env: env(),
      deliveryThread: true,
      logLevel: "info",
    });
    expect((await harness.post(alert("GpuXidErrors"))).status).toBe(200);
    const h = harness;
    // The thread posts a record before the metrics of the same turn: once the counter
    // says delivered, any record of that send has reached the main logger.
    await waitFor("the relayed metrics", async () =>
      (await metric(h, delivered)) === 1 ? true : undefined,
    );
    expect(h.logs.some((l) => l.includes("delivery failed; will retry"))).toBe(true);
    expect(h.logs.filter((l) => l.includes('"msg":"delivered"'))).toEqual([]);
  });

  it("follows a reload to a new destination URL", async () => {
    harness = await startHarness(dir.path, config(), { env: env(), deliveryThread: true });
    const h = harness;
    expect((await h.post(alert("First"))).status).toBe(200);
    await waitFor("the first delivery", () => (hook.accepted.length === 1 ? true : undefined));
    writeFileSync(h.configPath, config("OTHER_URL"));
    const result = await h.receiver.reload();
    expect(result.ok).toBe(true);
    expect((await h.post(alert("Second"))).status).toBe(200);
    await waitFor("the delivery after the reload", () =>
      other.accepted.length === 1 ? true : undefined,
    );
    expect(other.accepted[0]?.text).toContain("Second");
    expect(hook.accepted).toHaveLength(1);
  });

  it("hands delivery to the event loop, logged and counted, when the thread cannot start", async () => {
    // The thread loads the config file itself: gone once the main thread has loaded it.
    harness = await startHarness(dir.path, config(), {
      env: env(),
      deliveryThread: true,
      beforeStart: () => rmSync(`${dir.path}/receiver.yaml`),
    });
    const h = harness;
    await waitFor("the fallback", () =>
      h.receiver.deliveryPlace() === "event-loop" ? true : undefined,
    );
    const line = h.logs.find((l) => l.includes("the delivery thread stopped"));
    expect(JSON.parse(line ?? "{}")).toMatchObject({
      level: "error",
      reason: expect.stringContaining("receiver.yaml") as unknown,
    });
    expect(await metric(h, /^aiwatch_receiver_storage_errors_total\{operation="deliver"\}/)).toBe(
      1,
    );
    expect((await h.post(alert("StillDelivered"))).status).toBe(200);
    await waitFor("the delivery", () => (hook.accepted.length === 1 ? true : undefined));
    expect(hook.accepted[0]?.text).toContain("StillDelivered");
  });
});

const postgres = requirePostgres();

describe.skipIf(!postgres.available)("the delivery thread on PostgreSQL", () => {
  let server: PostgresInstance | undefined;
  beforeAll(async () => {
    server = await startTestPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("reads, sends and records the send on a pool of its own, across a retry", async () => {
    if (!server) throw new Error("PostgreSQL did not start");
    const url = await server.createDatabase(databaseName());
    hook.failNext("server-error");
    harness = await startHarness(
      dir.path,
      webhookConfig(dir.path, {
        storage: "storage:\n  postgres:\n    url: { env: POSTGRES_URL }\n",
      }),
      { env: { ...env(), POSTGRES_URL: url }, deliveryThread: true },
    );
    const h = harness;
    expect(h.receiver.deliveryPlace(), "built? npm test builds first").toBe("thread");
    expect((await h.post(alert("GpuXidErrors"))).status).toBe(200);
    await waitFor("the retried delivery", () => (hook.accepted.length === 1 ? true : undefined));
    // The thread records the send itself (on PostgreSQL it posts no writes to the main thread).
    await waitFor("the delivered record", async () =>
      (await h.receiver.store.delivered()).length === 1 ? true : undefined,
    );
    await waitFor("the relayed metrics", async () =>
      (await metric(h, delivered)) === 1 ? true : undefined,
    );
    expect(await metric(h, retried)).toBe(1);
    expect(hook.accepted[0]?.text).toContain("GpuXidErrors");
    expect(await h.receiver.store.countsByDestination()).toEqual([]);
    // Stopping closes the thread's pool too: only this test's own connection is left.
    await h.receiver.stop();
    harness = undefined;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const others = await admin.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
      );
      expect(others.rows[0]).toEqual({ n: 0 });
    } finally {
      await admin.end();
    }
  });
});
