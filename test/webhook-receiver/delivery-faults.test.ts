import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Enricher } from "../../webhook-receiver/pipeline/enrichment.js";
import { makeTempDir } from "../support/temp-dir.js";
import type { TempDir } from "../support/temp-dir.js";
import { waitFor } from "../support/wait-for.js";
import { startSmtpStandIn } from "./platforms/smtp.js";
import type { SmtpStandIn } from "./platforms/smtp.js";
import { configHead, startHarness, TOKEN } from "./receiver-harness.js";
import type { Harness } from "./receiver-harness.js";
import { webhookPayload } from "./sample-notifications.js";
import {
  CHAT_TYPES,
  chatDestinationsYaml,
  SECRETS,
  standInEnv,
  startAllStandIns,
} from "./stand-ins.js";

let dir: TempDir;
let standIns: Awaited<ReturnType<typeof startAllStandIns>>;
let harness: Harness | undefined;
let smtp: SmtpStandIn | undefined;
beforeEach(async () => {
  dir = makeTempDir("receiver-delivery");
  standIns = await startAllStandIns();
});
afterEach(async () => {
  await harness?.receiver.stop();
  harness = undefined;
  await smtp?.close();
  smtp = undefined;
  await standIns.close();
  dir.remove();
});

const FAST = ", rate_limit: { per_minute: 6000, burst: 100 }";
const delivery = (extra = "") => `delivery:
  timeout: 400ms
  initial_backoff: 50ms
  max_backoff: 200ms
  max_attempts: 8
${extra}`;

function everyChatConfig(extra = "", destinations = chatDestinationsYaml(FAST)): string {
  return `${configHead(dir.path)}${delivery()}${destinations}${extra}default_route:
  destinations: [${CHAT_TYPES.join(", ")}]
`;
}

const admin = (h: Harness, path: string, init: RequestInit = {}) =>
  fetch(`${h.receiver.url}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      "content-type": "application/json",
      ...init.headers,
    },
  });

describe("delivery through failures", () => {
  it("retries 5xx, in-band errors inside a 200 and hangs past the timeout; each platform gets the message once", async () => {
    const failures = {
      slack: ["server-error", "hang", "server-error"],
      dingtalk: ["in-band-error", "server-error", "hang"],
      feishu: ["server-error", "hang"],
      wecom: ["in-band-error", "hang", "in-band-error"],
      teams: ["in-band-error", "server-error", "hang"],
      discord: ["server-error", "hang"],
      webhook: ["hang", "server-error"],
    } as const;
    for (const type of CHAT_TYPES) for (const kind of failures[type]) standIns[type].failNext(kind);
    // This test counts requests exactly, so an answer must never come later than the
    // timeout: the receiver and seven stand-ins share one process, and on a loaded machine
    // a 400 ms deadline expired on a request the stand-in had already accepted (the
    // receiver then rightly sent it again, a fifth attempt). A hang costs the full timeout.
    const config = everyChatConfig().replace("timeout: 400ms", "timeout: 2s");
    harness = await startHarness(dir.path, config, { env: standInEnv(standIns) });
    expect(
      (
        await harness.post(
          webhookPayload({
            alerts: [{ name: "TrainingLossSpike", labels: { severity: "critical" } }],
          }),
        )
      ).status,
    ).toBe(200);
    await waitFor(
      "every platform to accept the message",
      () => (CHAT_TYPES.every((t) => standIns[t].accepted.length === 1) ? true : undefined),
      { timeoutMs: 30_000 },
    );
    for (const type of CHAT_TYPES) {
      expect(standIns[type].accepted, type).toHaveLength(1);
      expect(standIns[type].requests, type).toHaveLength(failures[type].length + 1);
      expect(standIns[type].rejected, `${type} rejected a request format`).toEqual([]);
      expect(standIns[type].accepted[0]?.text, type).toContain("TrainingLossSpike");
    }
    const db = harness.receiver.database;
    // The platform records a message before its answer reaches the receiver.
    const rows = await waitFor("the outbox to record every delivery", () => {
      const all = db
        .prepare("SELECT destination, state, attempts FROM deliveries ORDER BY destination")
        .all() as { state: string }[];
      return all.every((r) => r.state === "delivered") ? all : undefined;
    });
    expect(rows).toEqual(
      CHAT_TYPES.map((t) => ({
        destination: t,
        state: "delivered",
        attempts: failures[t].length + 1,
      })).sort((a, b) => a.destination.localeCompare(b.destination)),
    );
    const metrics = await (await fetch(`${harness.receiver.url}/metrics`)).text();
    expect(metrics).toContain(
      'aiwatch_receiver_delivery_attempts_total{destination="slack",type="slack",outcome="retry"} 3',
    );
    // The logs never show a webhook URL or a signing secret.
    const logs = harness.logs.join("");
    for (const secret of [
      standIns.slack.url,
      SECRETS.dingtalkSecret,
      SECRETS.wecomKey,
      standIns.discord.url,
    ])
      expect(logs).not.toContain(secret);
  });

  it("honours Retry-After on 429 (header and Discord's retry_after)", async () => {
    standIns.slack.failNext("rate-limit");
    standIns.discord.failNext("rate-limit");
    standIns.teams.failNext("rate-limit");
    harness = await startHarness(dir.path, everyChatConfig(), { env: standInEnv(standIns) });
    await harness.post(webhookPayload({ alerts: [{ name: "GpuXidError" }] }));
    await waitFor("slack, teams and discord to accept", () =>
      ["slack", "teams", "discord"].every((t) => standIns[t as "slack"].accepted.length === 1)
        ? true
        : undefined,
    );
    const gap = (type: "slack" | "discord" | "teams") => {
      const [first, second] = standIns[type].requests;
      return (second?.at ?? 0) - (first?.at ?? 0);
    };
    expect(gap("slack")).toBeGreaterThanOrEqual(950); // Retry-After: 1
    expect(gap("teams")).toBeGreaterThanOrEqual(950); // Retry-After: 1
    expect(gap("discord")).toBeGreaterThanOrEqual(1950); // Retry-After: 2, retry_after: 1.2
    expect(standIns.discord.accepted).toHaveLength(1);
  });

  it("moves a permanent failure to dead letters at once, shows it, and replays it after the fix", async () => {
    const secretFile = join(dir.path, "dingtalk-secret");
    writeFileSync(secretFile, "SECwrong-secret\n");
    const destinations = chatDestinationsYaml(FAST).replace(
      "secret: { env: DINGTALK_SECRET }",
      `secret: { file: ${secretFile} }`,
    );
    harness = await startHarness(dir.path, everyChatConfig("", destinations), {
      env: standInEnv(standIns),
    });
    const h = harness;
    await h.post(webhookPayload({ alerts: [{ name: "DataFreshnessLag" }] }));
    await waitFor("the dead letter", () =>
      h.receiver.outbox.deadLetters().length === 1 ? true : undefined,
    );
    expect(standIns.dingtalk.requests).toHaveLength(1);
    const listed = (await (await admin(h, "/api/v1/dead-letters")).json()) as {
      data: { id: number; destination: string; lastError: string }[];
    };
    expect(listed.data).toHaveLength(1);
    expect(listed.data[0]).toMatchObject({ destination: "dingtalk" });
    expect(listed.data[0]?.lastError).toContain("DingTalk errcode 310000");
    expect(await (await fetch(`${h.receiver.url}/metrics`)).text()).toContain(
      'aiwatch_receiver_dead_letters{destination="dingtalk"} 1',
    );
    // Fix the secret, reload, replay.
    writeFileSync(secretFile, `${SECRETS.dingtalkSecret}\n`);
    expect((await admin(h, "/-/reload", { method: "POST" })).status).toBe(200);
    const replayed = (await (
      await admin(h, "/api/v1/dead-letters/replay", {
        method: "POST",
        body: JSON.stringify({ destination: "dingtalk" }),
      })
    ).json()) as { data: { replayed: number } };
    expect(replayed.data.replayed).toBe(1);
    await waitFor("the replayed message", () =>
      standIns.dingtalk.accepted.length === 1 ? true : undefined,
    );
    await waitFor("no dead letters", () =>
      h.receiver.outbox.deadLetters().length === 0 ? true : undefined,
    );
    expect(standIns.slack.accepted).toHaveLength(1);
  });

  it("gives up after max_attempts of transient failures and keeps the message as a dead letter", async () => {
    standIns.webhook.failNext("server-error", 20);
    const yaml = `${configHead(dir.path)}${delivery().replace("max_attempts: 8", "max_attempts: 3")}${chatDestinationsYaml(FAST)}default_route:\n  destinations: [webhook]\n`;
    harness = await startHarness(dir.path, yaml, { env: standInEnv(standIns) });
    const h = harness;
    await h.post(webhookPayload({ alerts: [{ name: "ModelLatencyHigh" }] }));
    await waitFor("the dead letter", () =>
      h.receiver.outbox.deadLetters().length === 1 ? true : undefined,
    );
    expect(standIns.webhook.requests).toHaveLength(3);
    expect(h.receiver.outbox.deadLetters()[0]?.lastError).toMatch(
      /gave up after 3 attempts: HTTP 500/,
    );
    // Every attempt carried the same idempotency key.
    expect(new Set(standIns.webhook.requests.map((r) => r.headers["idempotency-key"])).size).toBe(
      1,
    );
  });

  it("coalesces a backlog behind the rate limit into one digest instead of a queue", async () => {
    const destinations = chatDestinationsYaml(FAST).replace(
      "{ name: slack, type: slack, url: { env: SLACK_URL }, rate_limit: { per_minute: 6000, burst: 100 } }",
      "{ name: slack, type: slack, url: { env: SLACK_URL } }",
    );
    const yaml = `${configHead(dir.path)}${delivery()}${destinations}default_route:\n  destinations: [slack]\n`;
    harness = await startHarness(dir.path, yaml, { env: standInEnv(standIns) });
    const names = [
      "DriftHigh",
      "NullRateHigh",
      "LossSpike",
      "GpuThrottled",
      "EvalAccuracyDrop",
      "QueueBacklog",
    ];
    for (const name of names)
      expect((await harness.post(webhookPayload({ alerts: [{ name }] }))).status).toBe(200);
    await waitFor("all six alerts in Slack", () =>
      names.every((n) => standIns.slack.accepted.some((m) => m.text.includes(n)))
        ? true
        : undefined,
    );
    // Slack allows one message a second: six notifications arrive as far fewer messages.
    expect(standIns.slack.accepted.length).toBeLessThanOrEqual(3);
    expect(standIns.slack.accepted.some((m) => m.request.body.includes("[DIGEST]"))).toBe(true);
    for (const name of names)
      expect(
        standIns.slack.accepted.filter((m) => m.text.includes(name)),
        name,
      ).toHaveLength(1);
    expect(await (await fetch(`${harness.receiver.url}/metrics`)).text()).toMatch(
      /aiwatch_receiver_digests_total\{destination="slack"\} [1-2]/,
    );
  });

  it("shrinks and retries when the platform says the message is too large", async () => {
    const destinations = chatDestinationsYaml(FAST).replace(
      "{ name: teams, type: teams, url: { env: TEAMS_URL }",
      "{ name: teams, type: teams, url: { env: TEAMS_URL }, max_size: 60000",
    );
    const yaml = `${configHead(dir.path)}${delivery()}${destinations}default_route:\n  destinations: [teams]\n`;
    harness = await startHarness(dir.path, yaml, { env: standInEnv(standIns) });
    const alerts = Array.from({ length: 150 }, (_, i) => ({
      name: "GpuMemoryHigh",
      labels: { gpu: String(i) },
      annotations: { summary: `GPU ${i}：显存使用率过高，可能因内存不足而失败。` },
    }));
    await harness.post(webhookPayload({ alerts }));
    await waitFor("teams to accept", () =>
      standIns.teams.accepted.length === 1 ? true : undefined,
    );
    expect(standIns.teams.rejected.map((r) => r.answer.status)).toEqual([413, 413]);
    expect(standIns.teams.accepted[0]?.text).toMatch(/\+\d+ more/);
  });

  it("does not send SMTP credentials over a connection without STARTTLS unless told to", async () => {
    smtp = await startSmtpStandIn("aiwatch", "smtp-pass");
    const yaml = `${configHead(dir.path)}${delivery().replace("max_attempts: 8", "max_attempts: 2")}destinations:
  - name: mail
    type: email
    smtp: { host: 127.0.0.1, port: ${smtp.port}, username: aiwatch, password: { env: SMTP_PASSWORD } }
    from: "aiwatch <alerts@example.com>"
    to: [oncall@example.com]
default_route:
  destinations: [mail]
`;
    harness = await startHarness(dir.path, yaml, { env: { SMTP_PASSWORD: "smtp-pass" } });
    const h = harness;
    await h.post(webhookPayload({ alerts: [{ name: "FeatureDrift" }] }));
    await waitFor("the dead letter", () =>
      h.receiver.outbox.deadLetters().length === 1 ? true : undefined,
    );
    expect(smtp.authAttempts()).toBe(0);
    expect(smtp.mails).toHaveLength(0);
    expect(h.receiver.outbox.deadLetters()[0]?.lastError).toMatch(/STARTTLS/i);
  });

  it("sends e-mail over SMTP, retries a 4xx reply and dead-letters a 5xx one", async () => {
    smtp = await startSmtpStandIn("aiwatch", "smtp-pass");
    smtp.failNext(451);
    const yaml = `${configHead(dir.path)}${delivery()}destinations:
  - name: mail
    type: email
    smtp: { host: 127.0.0.1, port: ${smtp.port}, username: aiwatch, password: { env: SMTP_PASSWORD }, require_tls: false }
    from: "aiwatch <alerts@example.com>"
    to: [oncall@example.com]
default_route:
  destinations: [mail]
`;
    harness = await startHarness(dir.path, yaml, { env: { SMTP_PASSWORD: "smtp-pass" } });
    const h = harness;
    await h.post(
      webhookPayload({
        alerts: [
          {
            name: "FeatureDrift",
            labels: { feature: "age" },
            annotations: { summary: "Drift on <age>" },
          },
        ],
      }),
    );
    await waitFor("the mail", () => (smtp?.mails.length === 1 ? true : undefined));
    const mail = smtp.mails[0];
    expect(mail?.to).toEqual(["oncall@example.com"]);
    expect(mail?.raw).toMatch(/Subject: \[FIRING:1\] FeatureDrift/);
    // The HTML part is quoted-printable: join soft line breaks before looking.
    const raw = (mail?.raw ?? "").replace(/=\r\n/g, "");
    expect(raw).toContain("Drift on &lt;age&gt;");
    // The plain-text part carries the text as it is.
    expect(raw).toContain("Drift on <age>");
    smtp.failNext(550);
    await h.post(webhookPayload({ alerts: [{ name: "FeatureDrift2" }] }));
    await waitFor("the dead letter", () =>
      h.receiver.outbox.deadLetters().length === 1 ? true : undefined,
    );
    expect(h.receiver.outbox.deadLetters()[0]?.lastError).toMatch(/SMTP 550/);
  });
});

describe("the enrich stage and follow-ups", () => {
  it("shows an enrichment at the top of every platform's message and as JSON in the webhook; a follow-up goes to the same places", async () => {
    const enricher: Enricher = {
      enrich: (n) =>
        Promise.resolve({
          headline: `Likely cause: data layer (${n.alerts.length} alert)`,
          details: [
            {
              label: "evidence",
              text: "feature drift on age started 12m before",
              url: "http://grafana.example/d/drift",
            },
          ],
          data: { layer: "data", confidence: 0.8 },
        }),
    };
    harness = await startHarness(dir.path, everyChatConfig(), {
      env: standInEnv(standIns),
      enricher,
    });
    const h = harness;
    await h.post(webhookPayload({ alerts: [{ name: "EvalAccuracyDrop" }] }));
    await waitFor("every platform", () =>
      CHAT_TYPES.every((t) => standIns[t].accepted.length === 1) ? true : undefined,
    );
    for (const type of CHAT_TYPES) {
      const text = standIns[type].accepted[0]?.text ?? "";
      const firstLines = text
        .split("\n")
        .slice(0, type === "webhook" ? 1 : 3)
        .join("\n");
      expect(firstLines, type).toMatch(/Likely cause/);
    }
    const webhookBody = standIns.webhook.accepted[0]?.request.json as {
      notifications: { enrichment: { data: unknown } }[];
    };
    expect(webhookBody.notifications[0]?.enrichment.data).toEqual({
      layer: "data",
      confidence: 0.8,
    });

    const id = (h.receiver.database.prepare("SELECT id FROM notifications").get() as { id: number })
      .id;
    expect(
      await h.receiver.followUp(id, {
        headline: "Evidence arrived late: GPU 3 throttled",
        details: [],
      }),
    ).toBe(CHAT_TYPES.length);
    await waitFor("the follow-ups", () =>
      CHAT_TYPES.every((t) => standIns[t].accepted.length === 2) ? true : undefined,
    );
    expect(standIns.slack.accepted[1]?.text).toContain("Update to an earlier message");
    expect(standIns.dingtalk.accepted[1]?.text).toContain("Evidence arrived late");
  });

  it("sends without enrichment when the enricher is late, and counts it", async () => {
    const late: Enricher = {
      enrich: (_n, signal) =>
        new Promise((resolve) => signal.addEventListener("abort", () => resolve(undefined))),
    };
    const yaml = `${configHead(dir.path)}enrichment:\n  timeout: 200ms\ndestinations:\n  - { name: out, type: console }\ndefault_route:\n  destinations: [out]\n`;
    harness = await startHarness(dir.path, yaml, { enricher: late });
    const h = harness;
    await h.post(webhookPayload({ alerts: [{ name: "Late" }] }));
    await waitFor("the message", () => (h.stdout.length === 1 ? true : undefined));
    expect(h.stdout[0]).not.toContain("Likely");
    expect(await (await fetch(`${h.receiver.url}/metrics`)).text()).toContain(
      "aiwatch_receiver_enrichment_failures_total 1",
    );
  });

  it("falls back to the built-in template when a route's template fails at runtime", async () => {
    const yaml = `${configHead(dir.path)}destinations:
  - { name: out, type: console }
routes:
  - matchers: ['alertname="Custom"']
    destinations: [out]
    templates:
      console: { title: "custom {{title}}", body: "{{noSuchHelper groups}}" }
default_route:
  destinations: [out]
`;
    harness = await startHarness(dir.path, yaml);
    const h = harness;
    await h.post(webhookPayload({ alerts: [{ name: "Custom" }] }));
    await waitFor("the message", () => (h.stdout.length === 1 ? true : undefined));
    expect(h.stdout[0]).toContain("FIRING: 1 firing");
    expect(await (await fetch(`${h.receiver.url}/metrics`)).text()).toContain(
      'aiwatch_receiver_template_fallbacks_total{destination="out"} 1',
    );
  });
});
