import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labelSetFingerprint } from "../../webhook-receiver/payload/fingerprint.js";
import type { Notification } from "../../webhook-receiver/payload/notification.js";
import { startAlertmanager } from "../support/alertmanager-process.js";
import type { AlertmanagerInstance } from "../support/alertmanager-process.js";
import { requireBinaries } from "../support/binaries.js";
import { makeTempDir } from "../support/temp-dir.js";
import type { TempDir } from "../support/temp-dir.js";
import { waitFor } from "../support/wait-for.js";
import { startSmtpStandIn } from "./platforms/smtp.js";
import type { SmtpStandIn } from "./platforms/smtp.js";
import { configHead, startHarness, TOKEN } from "./receiver-harness.js";
import type { Harness } from "./receiver-harness.js";
import { CHAT_TYPES, chatDestinationsYaml, standInEnv, startAllStandIns } from "./stand-ins.js";

const binaries = requireBinaries("alertmanager", "amtool");

/** Alertmanager's webhook config for the receiver, with the same bearer token. */
function alertmanagerConfig(receiverUrl: string): string {
  return `route:
  receiver: aiwatch.ml-team
  group_by: [alertname]
  # Long enough that a peer starved of CPU (the whole suite runs beside it) still holds
  # both TrainingLossSpike alerts of the one POST when it first flushes the group.
  group_wait: 5s
  group_interval: 1m
  repeat_interval: 4h
receivers:
  - name: aiwatch.ml-team
    webhook_configs:
      - url: ${receiverUrl}/api/v1/alerts
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: ${TOKEN}
`;
}

describe.skipIf(!binaries.available)("real Alertmanager 0.25 posting to the receiver", () => {
  let dir: TempDir;
  let standIns: Awaited<ReturnType<typeof startAllStandIns>>;
  let smtp: SmtpStandIn;
  let harness: Harness;
  const peers: AlertmanagerInstance[] = [];

  beforeAll(async () => {
    dir = makeTempDir("receiver-am");
    standIns = await startAllStandIns();
    smtp = await startSmtpStandIn("aiwatch", "smtp-pass");
    const yaml = `${configHead(dir.path)}${chatDestinationsYaml()}  - name: mail
    type: email
    smtp: { host: 127.0.0.1, port: ${smtp.port}, username: aiwatch, password: { env: SMTP_PASSWORD }, require_tls: false }
    from: alerts@example.com
    to: [oncall@example.com]
  - { name: stdout, type: console }
routes:
  - matchers: ['severity="critical"']
    destinations: [${CHAT_TYPES.join(", ")}, mail]
    continue: true
  - matchers: ['alertname=~"Training.*"']
    destinations: [stdout]
default_route:
  destinations: [webhook]
`;
    harness = await startHarness(dir.path, yaml, {
      env: { ...standInEnv(standIns), SMTP_PASSWORD: "smtp-pass" },
    });
    for (const name of ["am-1", "am-2"]) {
      const peerDir = join(dir.path, name);
      peers.push(
        await startAlertmanager({
          binary: binaries.paths.alertmanager,
          dir: peerDir,
          config: alertmanagerConfig(harness.receiver.url),
        }),
      );
    }
  });
  afterAll(async () => {
    await Promise.all(peers.map((p) => p.stop()));
    await harness?.receiver.stop();
    await standIns?.close();
    await smtp?.close();
    dir?.remove();
  });

  it("amtool accepts the webhook config the README documents", async () => {
    const { runProcess } = await import("../../core/run-process.js");
    const file = join(dir.path, "am-1", "alertmanager.yml");
    const result = await runProcess(binaries.paths.amtool, ["check-config", file]);
    expect(result.stdout + result.stderr).toContain("SUCCESS");
    expect(result.exitCode).toBe(0);
  });

  it("an HA pair posting the same groups: every alert reaches every routed destination exactly once", async () => {
    // Starting now, not in the past: Alertmanager flushes a new group at once when an
    // alert's startsAt + group_wait has already passed (dispatch.go), so a peer could send
    // the TrainingLossSpike group with only the first of its two alerts, then the full
    // group a group_interval later: a legitimately different fourth notification.
    const startsAt = new Date().toISOString();
    type Postable = { labels: Record<string, string>; annotations: Record<string, string> };
    const alerts = (
      [
        {
          labels: {
            alertname: "TrainingLossSpike",
            severity: "critical",
            run_id: "run-7",
            layer: "model",
          },
          annotations: {
            summary: "Loss spiked on run-7",
            runbook_url: "https://runbooks.example/loss",
          },
        },
        {
          labels: {
            alertname: "TrainingLossSpike",
            severity: "critical",
            run_id: "run-9",
            layer: "model",
          },
          annotations: { summary: "Loss spiked on run-9 <!channel> @all" },
        },
        {
          labels: {
            alertname: "GpuXidError",
            severity: "critical",
            gpu: "3",
            uuid: "GPU-5f2c9a",
            layer: "environment",
          },
          annotations: { summary: "XID 79 on GPU 3" },
        },
        {
          labels: { alertname: "FeatureDrift", severity: "warning", feature: "age", layer: "data" },
          annotations: { summary: "Drift on age" },
        },
      ] as Postable[]
    ).map((a) => ({
      ...a,
      startsAt,
      generatorURL: "http://prometheus.example:9090/graph?g0.expr=up",
    }));
    await Promise.all(peers.map((p) => p.pushAlerts(alerts)));

    const critical = alerts.filter((a) => a.labels["severity"] === "critical");
    const key = (a: { labels: Record<string, string> }) =>
      a.labels["run_id"] ?? a.labels["uuid"] ?? a.labels["feature"] ?? "";
    await waitFor(
      "every critical alert on every chat platform and in the mail",
      () =>
        CHAT_TYPES.every((t) =>
          critical.every((a) =>
            standIns[t].accepted.some(
              (m) => m.text.includes(a.labels["alertname"] ?? "") && m.text.includes(key(a)),
            ),
          ),
        ) &&
        smtp.mails.length >= 2 &&
        harness.stdout.length >= 1
          ? true
          : undefined,
      { timeoutMs: 45_000 },
    ).catch((error: unknown) => {
      const missing = CHAT_TYPES.flatMap((t) =>
        critical
          .filter(
            (a) =>
              !standIns[t].accepted.some(
                (m) => m.text.includes(a.labels["alertname"] ?? "") && m.text.includes(key(a)),
              ),
          )
          .map((a) => `${t}:${key(a)}`),
      );
      throw new Error(
        `${String(error)}; missing ${missing.join(" ")}; mails ${smtp.mails.length}; stdout ${harness.stdout.length}`,
      );
    });
    // Let any late duplicate from the second peer arrive and be dropped before counting.
    await waitFor(
      "both peers' notifications to be received",
      async () => {
        const text = await (await fetch(`${harness.receiver.url}/metrics`)).text();
        const accepted = Number(
          /aiwatch_receiver_notifications_total\{result="accepted"\} (\d+)/.exec(text)?.[1] ?? 0,
        );
        const duplicate = Number(
          /aiwatch_receiver_notifications_total\{result="duplicate"\} (\d+)/.exec(text)?.[1] ?? 0,
        );
        return accepted + duplicate >= 6 ? { accepted, duplicate } : undefined;
      },
      { timeoutMs: 30_000 },
    );
    const counts = await waitFor("deliveries to settle", () => {
      const pending = harness.receiver.database
        .prepare("SELECT COUNT(*) AS n FROM deliveries WHERE state != 'delivered'")
        .get() as { n: number };
      return pending.n === 0 ? true : undefined;
    });
    expect(counts).toBe(true);

    // 3 groups (by alertname), each posted by both peers: 3 accepted, 3 dropped as duplicates.
    const metrics = await (await fetch(`${harness.receiver.url}/metrics`)).text();
    const summary = (
      harness.receiver.database.prepare("SELECT group_key, payload FROM notifications").all() as {
        group_key: string;
        payload: string;
      }[]
    ).map(
      (r) =>
        `${r.group_key} ${(JSON.parse(r.payload) as Notification).alerts.map((a) => `${a.labels["alertname"] ?? ""}/${a.status}/${a.startsAt}`).join(",")}`,
    );
    expect(
      summary,
      `${metrics
        .split("\n")
        .filter((l) => l.startsWith("aiwatch_receiver_notifications_total"))
        .join(" ")}\n${summary.join("\n")}`,
    ).toHaveLength(3);
    expect(metrics).toContain('aiwatch_receiver_notifications_total{result="accepted"} 3');
    expect(metrics).toContain('aiwatch_receiver_notifications_total{result="duplicate"} 3');
    for (const type of CHAT_TYPES) {
      // Two critical groups: two messages, or one digest where the platform's rate limit
      // (Slack: one a second) had no token for the second; each alert exactly once.
      const criticalMessages = standIns[type].accepted.filter((m) =>
        critical.some((a) => m.text.includes(a.labels["alertname"] ?? "")),
      );
      expect(criticalMessages.length, type).toBeGreaterThanOrEqual(1);
      expect(criticalMessages.length, type).toBeLessThanOrEqual(2);
      expect(standIns[type].rejected, type).toEqual([]);
      for (const a of critical)
        expect(
          standIns[type].accepted.filter((m) => m.text.includes(key(a))),
          `${type} ${key(a)}`,
        ).toHaveLength(1);
      expect(
        standIns[type].accepted.some((m) => m.mentions),
        type,
      ).toBe(false);
    }
    expect(smtp.mails).toHaveLength(2);
    // TrainingLossSpike also matched the second route (continue: true on the first).
    expect(harness.stdout).toHaveLength(1);
    expect(harness.stdout[0]).toContain("run-7");
    // FeatureDrift matched no route: the default route's generic webhook got it (once).
    expect(standIns.webhook.accepted.filter((m) => m.text.includes("FeatureDrift"))).toHaveLength(
      1,
    );

    // Alertmanager's quirks, as received: a regex-quoted receiver name and fingerprints.
    const stored = harness.receiver.database.prepare("SELECT payload FROM notifications").all() as {
      payload: string;
    }[];
    for (const row of stored) {
      const n = JSON.parse(row.payload) as Notification;
      expect(n.receiver).toBe("aiwatch.ml-team");
      for (const alert of n.alerts)
        expect(alert.fingerprint).toBe(labelSetFingerprint(alert.labels));
      for (const alert of n.alerts) expect(alert.endsAt).toBeUndefined();
    }
    const fromAm = await peers[0]?.alerts();
    expect(fromAm?.map((a) => a.fingerprint).sort()).toEqual(
      fromAm?.map((a) => labelSetFingerprint(a.labels)).sort(),
    );
  });
});
