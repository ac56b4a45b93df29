import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runProcess } from "../../core/run-process.js";
import { requireBinaries } from "../support/binaries.js";
import { makeTempDir } from "../support/temp-dir.js";
import type { TempDir } from "../support/temp-dir.js";
import { waitFor } from "../support/wait-for.js";
import { openDatabase } from "../../webhook-receiver/store/open-database.js";
import type { SqliteDatabase } from "../../webhook-receiver/store/open-database.js";
import { startInboxWriter } from "../../webhook-receiver/store/inbox-writer.js";
import { startGenericWebhookStandIn } from "./platforms/generic-webhook.js";
import { json } from "./platforms/stand-in-server.js";
import { configHead, startHarness, TOKEN } from "./receiver-harness.js";
import type { Harness } from "./receiver-harness.js";
import { webhookPayload } from "./sample-notifications.js";
import { SECRETS } from "./stand-ins.js";

let dir: TempDir;
let harness: Harness | undefined;
beforeEach(() => {
  dir = makeTempDir("receiver-server");
});
afterEach(async () => {
  await harness?.receiver.stop();
  harness = undefined;
  dir.remove();
});

/** A receiver that prints to stdout; `web` adds keys under `web:`. */
const consoleConfig = (d: string, web = "") =>
  configHead(d).replace("web:\n", `web:\n${web}`) +
  `destinations:
  - { name: out, type: console }
default_route:
  destinations: [out]
`;

async function metricsText(h: Harness): Promise<string> {
  return (await fetch(`${h.receiver.url}/metrics`)).text();
}

describe("the alerts endpoint", () => {
  it("accepts a valid notification only with the configured credentials", async () => {
    const yaml = consoleConfig(dir.path).replace(
      "    bearer_tokens: [{ env: RECEIVER_TOKEN }]",
      "    bearer_tokens: [{ env: RECEIVER_TOKEN }]\n    basic_auth: [{ username: alertmanager, password: { env: AM_PASSWORD } }]",
    );
    harness = await startHarness(dir.path, yaml, { env: { AM_PASSWORD: "pa55-word" } });
    const payload = webhookPayload({ alerts: [{ name: "A" }] });
    expect((await harness.post(payload, { authorization: "" })).status).toBe(401);
    expect((await harness.post(payload, { authorization: "Bearer nope" })).status).toBe(401);
    const basic = `Basic ${Buffer.from("alertmanager:pa55-word").toString("base64")}`;
    expect((await harness.post(payload, { authorization: basic })).status).toBe(200);
    expect((await harness.post(webhookPayload({ alerts: [{ name: "B" }] }))).status).toBe(200);
    const metrics = await metricsText(harness);
    expect(metrics).toContain(
      'aiwatch_receiver_requests_rejected_total{reason="unauthorized",endpoint="alerts"} 2',
    );
    expect(metrics).toContain('aiwatch_receiver_notifications_total{result="accepted"} 2');
  });

  it("answers bad input with a clear 4xx, counts it by reason, and renders nothing", async () => {
    harness = await startHarness(dir.path, consoleConfig(dir.path, "  max_body_bytes: 20000\n"));
    const h = harness;
    const malformed = await h.post('{\n  "version": "4",\n  not json');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({
      status: "error",
      errorType: "invalid-json",
      error: expect.stringContaining("at line 3, column 3") as unknown,
    });
    const version = await h.post({ ...webhookPayload({ alerts: [{ name: "A" }] }), version: "3" });
    expect(version.status).toBe(400);
    expect(await version.json()).toMatchObject({ errorType: "unsupported-version" });
    const missing = await h.post({
      version: "4",
      receiver: "x",
      alerts: [{ labels: {}, startsAt: "yesterday" }],
    });
    expect(missing.status).toBe(400);
    const body = (await missing.json()) as { errorType: string; details: { path: unknown[] }[] };
    expect(body.errorType).toBe("invalid-payload");
    expect(body.details.map((d) => d.path)).toEqual([
      ["status"],
      ["alerts", 0, "status"],
      ["alerts", 0, "startsAt"],
    ]);
    const huge = await h.post(
      webhookPayload({ alerts: [{ name: "A", annotations: { description: "x".repeat(50_000) } }] }),
    );
    expect(huge.status).toBe(413);
    const form = await h.post("a=b", { "content-type": "application/x-www-form-urlencoded" });
    expect(form.status).toBe(415);
    const metrics = await metricsText(h);
    for (const [reason, count] of [
      ["invalid_json", 1],
      ["unsupported_version", 1],
      ["invalid_payload", 1],
      ["body_too_large", 1],
      ["unsupported_media_type", 1],
    ] as const)
      expect(metrics).toContain(
        `aiwatch_receiver_requests_rejected_total{reason="${reason}",endpoint="alerts"} ${count}`,
      );
    expect(metrics).toContain('aiwatch_receiver_notifications_total{result="rejected"} 5');
    expect(h.stdout).toEqual([]);
    expect(h.receiver.database.prepare("SELECT COUNT(*) AS n FROM notifications").get()).toEqual({
      n: 0,
    });
  });

  it("answers 503 when storage fails, so Alertmanager retries, and recovers", async () => {
    harness = await startHarness(dir.path, consoleConfig(dir.path));
    const h = harness;
    // Another process holds the database's write lock longer than the receiver waits
    // (a backup, an operator's sqlite3 shell): storage is unavailable.
    const blocker = new Database(join(dir.path, "receiver.db"));
    blocker.pragma("busy_timeout = 0");
    blocker.exec("BEGIN IMMEDIATE");
    try {
      const refused = await h.post(webhookPayload({ alerts: [{ name: "Locked" }] }));
      expect(refused.status).toBe(503);
      expect(await refused.json()).toMatchObject({ errorType: "storage-unavailable" });
    } finally {
      blocker.exec("ROLLBACK");
      blocker.close();
    }
    expect((await h.post(webhookPayload({ alerts: [{ name: "Locked" }] }))).status).toBe(200);
    const metrics = await metricsText(h);
    expect(metrics).toContain(
      'aiwatch_receiver_requests_rejected_total{reason="storage_unavailable",endpoint="alerts"} 1',
    );
    expect(metrics).toContain('aiwatch_receiver_storage_errors_total{operation="accept"} 1');
    await waitFor("the stored notification to be delivered", () =>
      h.stdout.length === 1 ? true : undefined,
    );
  });

  it("is not ready while the storage writer's connection is gone, and says why", async () => {
    let writerDb: SqliteDatabase | undefined;
    harness = await startHarness(dir.path, consoleConfig(dir.path), {
      // The real writer, on a connection of its own (as the writer thread has), so the
      // test can make that connection die while the receiver's reads go on.
      startWriter: (path, synchronous) => {
        writerDb = openDatabase(path, synchronous);
        return startInboxWriter(":memory:", synchronous, writerDb);
      },
    });
    const h = harness;
    expect((await fetch(`${h.receiver.url}/-/ready`)).status).toBe(200);
    expect((await h.post(webhookPayload({ alerts: [{ name: "Before" }] }))).status).toBe(200);
    writerDb?.close();
    expect((await h.post(webhookPayload({ alerts: [{ name: "After" }] }))).status).toBe(503);
    const ready = await fetch(`${h.receiver.url}/-/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toMatch(/not ready: storage is unavailable: .*closed/);
    expect((await fetch(`${h.receiver.url}/-/healthy`)).status).toBe(200);
  });

  it("counts refused credentials on the admin and reload endpoints by endpoint", async () => {
    harness = await startHarness(dir.path, consoleConfig(dir.path));
    const url = harness.receiver.url;
    const bad = { authorization: "Bearer wrong" };
    expect((await fetch(`${url}/api/v1/dead-letters`, { headers: bad })).status).toBe(401);
    expect((await fetch(`${url}/api/v1/dead-letters`)).status).toBe(401);
    expect(
      (await fetch(`${url}/api/v1/dead-letters/replay`, { method: "POST", headers: bad })).status,
    ).toBe(401);
    expect((await fetch(`${url}/-/reload`, { method: "POST" })).status).toBe(401);
    expect((await harness.post({}, bad)).status).toBe(401);
    // Accepted credentials are not counted.
    expect(
      (await fetch(`${url}/api/v1/dead-letters`, { headers: { authorization: `Bearer ${TOKEN}` } }))
        .status,
    ).toBe(200);
    const metrics = await metricsText(harness);
    for (const [endpoint, count] of [
      ["dead_letters", 2],
      ["replay", 1],
      ["reload", 1],
      ["alerts", 1],
    ] as const)
      expect(metrics).toContain(
        `aiwatch_receiver_requests_rejected_total{reason="unauthorized",endpoint="${endpoint}"} ${count}`,
      );
  });

  it("redacts secrets from dead letters' errors before storing them, and in the admin API", async () => {
    const hook = await startGenericWebhookStandIn(SECRETS.webhookToken);
    try {
      // A gateway that echoes the credentials it refused (as some do) in a permanent 4xx.
      hook.answerNext(json(400, { error: `bad credentials: Bearer ${SECRETS.webhookToken}` }));
      harness = await startHarness(
        dir.path,
        `${configHead(dir.path)}destinations:
  - { name: sms, type: webhook, url: { env: WEBHOOK_URL }, headers: { Authorization: { env: WEBHOOK_AUTH } } }
default_route:
  destinations: [sms]
`,
        { env: { WEBHOOK_URL: hook.url, WEBHOOK_AUTH: `Bearer ${SECRETS.webhookToken}` } },
      );
      const h = harness;
      await h.post(webhookPayload({ alerts: [{ name: "SmsGatewayDown" }] }));
      await waitFor("the dead letter", () =>
        h.receiver.outbox.deadLetters().length === 1 ? true : undefined,
      );
      // Redacted before it is stored: the database never holds the credential.
      expect(h.receiver.outbox.deadLetters()[0]?.lastError).toMatch(
        /HTTP 400: .*bad credentials: <redacted>/,
      );
      const response = await fetch(`${h.receiver.url}/api/v1/dead-letters`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      const text = await response.text();
      expect(text).not.toContain(SECRETS.webhookToken);
      const listed = JSON.parse(text) as { data: { lastError: string }[] };
      expect(listed.data[0]?.lastError).toMatch(/HTTP 400: .*bad credentials: <redacted>/);
    } finally {
      await harness?.receiver.stop();
      harness = undefined;
      await hook.close();
    }
  });

  it("drops Alertmanager's re-posts and an HA peer's copy of the same group: one message", async () => {
    harness = await startHarness(dir.path, consoleConfig(dir.path));
    const h = harness;
    const payload = webhookPayload({
      alerts: [{ name: "Dup" }, { name: "Dup", labels: { gpu: "1" } }],
    });
    const first = (await (await h.post(payload)).json()) as {
      data: { id: number; duplicate: boolean };
    };
    const again = (await (await h.post(payload)).json()) as {
      data: { id: number; duplicate: boolean };
    };
    const peer = (await (
      await h.post({ ...payload, externalURL: "http://alertmanager-2:9093" })
    ).json()) as { data: { duplicate: boolean } };
    expect(first.data.duplicate).toBe(false);
    expect(again.data).toEqual({ id: first.data.id, duplicate: true });
    expect(peer.data.duplicate).toBe(true);
    // A change in the group (one alert resolved) is a new notification.
    const changed = webhookPayload({
      alerts: [{ name: "Dup" }, { name: "Dup", labels: { gpu: "1" }, status: "resolved" }],
    });
    expect(
      ((await (await h.post(changed)).json()) as { data: { duplicate: boolean } }).data.duplicate,
    ).toBe(false);
    await waitFor("two messages", () => (h.stdout.length === 2 ? true : undefined));
    expect(await metricsText(h)).toContain(
      'aiwatch_receiver_notifications_total{result="duplicate"} 2',
    );
  });
});

describe("lifecycle", () => {
  it("refuses an invalid new config on reload, keeps the old one, then takes a valid one", async () => {
    harness = await startHarness(dir.path, consoleConfig(dir.path));
    const h = harness;
    expect(await (await fetch(`${h.receiver.url}/-/healthy`)).text()).toContain("Healthy");
    expect((await fetch(`${h.receiver.url}/-/ready`)).status).toBe(200);
    writeFileSync(
      h.configPath,
      consoleConfig(dir.path).replace("destinations: [out]", "destinations: [nowhere]"),
    );
    expect((await fetch(`${h.receiver.url}/-/reload`, { method: "POST" })).status).toBe(401);
    const refused = await fetch(`${h.receiver.url}/-/reload`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(refused.status).toBe(500);
    expect(await refused.text()).toMatch(
      /receiver\.yaml:\d+:\d+: error unknown-destination: destination "nowhere" is not defined/,
    );
    expect(h.receiver.config().defaultRoute.destinations).toEqual(["out"]);
    writeFileSync(
      h.configPath,
      consoleConfig(dir.path)
        .replace(
          "{ name: out, type: console }",
          "{ name: out, type: console }\n  - { name: second, type: console }",
        )
        .replace("destinations: [out]", "destinations: [out, second]"),
    );
    expect(
      (
        await fetch(`${h.receiver.url}/-/reload`, {
          method: "PUT",
          headers: { authorization: `Bearer ${TOKEN}` },
        })
      ).status,
    ).toBe(200);
    expect(h.receiver.config().defaultRoute.destinations).toEqual(["out", "second"]);
    const metrics = await metricsText(h);
    expect(metrics).toContain('aiwatch_config_reloads_total{result="failure"} 1');
    expect(metrics).toContain('aiwatch_config_reloads_total{result="success"} 1');
  });

  const promtool = requireBinaries("promtool");
  it.skipIf(!promtool.available)("exposes metrics that pass promtool check metrics", async () => {
    harness = await startHarness(dir.path, consoleConfig(dir.path));
    await harness.post(webhookPayload({ alerts: [{ name: "A" }] }));
    await waitFor("delivery", () => (harness?.stdout.length === 1 ? true : undefined));
    const text = await metricsText(harness);
    expect(text).toContain('aiwatch_receiver_outbox_pending_messages{destination="out"} 0');
    expect(text).toContain(
      'aiwatch_receiver_delivery_attempts_total{destination="out",type="console",outcome="delivered"} 1',
    );
    const file = `${dir.path}/metrics.txt`;
    writeFileSync(file, text);
    const result = await runProcess("sh", [
      "-c",
      `${promtool.paths.promtool} check metrics < ${file}`,
    ]);
    expect(result.stdout + result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
  });
});
