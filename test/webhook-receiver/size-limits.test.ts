import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinTemplates } from "../../webhook-receiver/config/load-config.js";
import type { Destination } from "../../webhook-receiver/destinations/destination.js";
import { dingTalkDestination } from "../../webhook-receiver/destinations/dingtalk.js";
import { discordDestination } from "../../webhook-receiver/destinations/discord.js";
import { feishuDestination } from "../../webhook-receiver/destinations/feishu.js";
import { createHttpClient } from "../../webhook-receiver/destinations/http-client.js";
import { slackDestination } from "../../webhook-receiver/destinations/slack.js";
import { teamsDestination } from "../../webhook-receiver/destinations/teams.js";
import { weComDestination } from "../../webhook-receiver/destinations/wecom.js";
import type { Alert } from "../../webhook-receiver/payload/notification.js";
import { renderMessage } from "../../webhook-receiver/render/render-message.js";
import { expectGolden } from "../support/golden.js";
import { notification } from "./sample-notifications.js";
import { SECRETS, startAllStandIns } from "./stand-ins.js";

const NOW = new Date("2026-11-22T04:00:00Z");
const CJK = "训练任务显存使用率过高，可能因内存不足而失败；请检查批大小与梯度累积设置。";
const SEVERITIES = ["critical", "warning", "info"];

function cjkAlerts(count: number, repeat = 1): Alert[] {
  return Array.from({ length: count }, (_, i) => ({
    status: i % 7 === 6 ? "resolved" : "firing",
    labels: {
      alertname: "GpuMemoryHigh",
      severity: SEVERITIES[i % 3] ?? "info",
      gpu: String(i),
      节点: `节点-${i}`,
    },
    annotations: { summary: `GPU ${i}：${CJK.repeat(repeat)}` },
    startsAt: new Date(Date.parse("2026-11-22T00:00:00Z") + i * 60_000).toISOString(),
    ...(i % 7 === 6 ? { endsAt: "2026-11-22T03:00:00.000Z" } : {}),
    fingerprint: i.toString(16).padStart(16, "0"),
  }));
}

let standIns: Awaited<ReturnType<typeof startAllStandIns>>;
let destinations: Record<
  "slack" | "dingtalk" | "feishu" | "wecom" | "teams" | "discord",
  Destination
>;
beforeAll(async () => {
  standIns = await startAllStandIns();
  const common = { timeoutMs: 5000, http: createHttpClient({ userAgent: "aiwatch-test" }) };
  destinations = {
    slack: slackDestination({ name: "slack", url: standIns.slack.url, ...common }),
    dingtalk: dingTalkDestination({
      name: "dingtalk",
      url: standIns.dingtalk.url,
      secret: SECRETS.dingtalkSecret,
      ...common,
    }),
    feishu: feishuDestination({
      name: "feishu",
      url: standIns.feishu.url,
      secret: SECRETS.feishuSecret,
      ...common,
    }),
    wecom: weComDestination({ name: "wecom", url: standIns.wecom.url, ...common }),
    teams: teamsDestination({ name: "teams", url: standIns.teams.url, ...common }),
    discord: discordDestination({ name: "discord", url: standIns.discord.url, ...common }),
  };
});
afterAll(async () => {
  await standIns.close();
});

function render(destination: Destination, alerts: Alert[], maxParts = 1) {
  const groups = [
    {
      notification: notification(alerts, { groupLabels: { alertname: "GpuMemoryHigh" } }),
      previouslyFiring: new Set<string>(),
    },
  ];
  const type = destination.type;
  const result = renderMessage({
    destination,
    templates: builtinTemplates(type),
    fallback: builtinTemplates(type),
    groups,
    now: NOW,
    idempotencyKey: "k",
    maxParts,
  });
  return { result, groups };
}

/** The largest number of CJK alerts whose whole message fits the platform's limit. */
function largestUntrimmed(destination: Destination): number {
  let n = 1;
  while (!render(destination, cjkAlerts(n + 1)).result.trimmed) n++;
  return n;
}

describe.each(["slack", "dingtalk", "feishu", "wecom", "teams", "discord"] as const)(
  "CJK text near the %s limit",
  (type) => {
    it("fits exactly what fits, trims one alert more with +N more, and the platform accepts both", async () => {
      const destination = destinations[type];
      const n = largestUntrimmed(destination);
      const atLimit = render(destination, cjkAlerts(n));
      const overLimit = render(destination, cjkAlerts(n + 1));
      expect(atLimit.result.trimmed).toBe(false);
      expect(overLimit.result.trimmed).toBe(true);
      expect(overLimit.result.omitted).toBeGreaterThanOrEqual(1);
      const groups = overLimit.groups;
      for (const [label, r] of [
        ["at", atLimit],
        ["over", overLimit],
      ] as const) {
        const [part] = r.result.parts;
        if (!part) throw new Error("no part");
        const size = destination.measure(part, {
          idempotencyKey: "k",
          groups: r.groups,
          now: NOW.getTime(),
        });
        expect(size, `${label} limit`).toBeLessThanOrEqual(destination.sizeLimit);
        // The platform (stand-in) measures in its own unit and accepts.
        expect(
          await destination.send(part, { idempotencyKey: "k", groups, now: Date.now() }),
          `${type} ${label}`,
        ).toEqual({ kind: "delivered" });
      }
      const [trimmedPart] = overLimit.result.parts;
      expect(trimmedPart?.body).toMatch(/\+\d+ more/);
      // Firing critical alerts are kept first; the resolved ones go first when trimming.
      expect(trimmedPart?.body).toContain("GPU 0：");
      expectGolden(
        new URL(`golden/cjk-limit-${type}.txt`, import.meta.url).pathname,
        `${n} alerts fit\n${trimmedPart?.title ?? ""}\n${trimmedPart?.body ?? ""}`,
      );
    });

    it("splits into parts when the rate budget allows, each within the limit, every alert shown once", () => {
      const destination = destinations[type];
      const alerts = cjkAlerts(largestUntrimmed(destination) * 2 + 1);
      const { result, groups } = render(destination, alerts, 3);
      expect(result.parts.length).toBeGreaterThan(1);
      expect(result.omitted).toBe(0);
      for (const part of result.parts)
        expect(
          destination.measure(part, { idempotencyKey: "k", groups, now: NOW.getTime() }),
        ).toBeLessThanOrEqual(destination.sizeLimit);
      for (const alert of alerts) {
        const marker = `GPU ${alert.labels["gpu"] ?? ""}：`;
        expect(
          result.parts.filter((p) => p.body.includes(marker)),
          marker,
        ).toHaveLength(1);
      }
      expect(result.parts[0]?.body).toContain(`part 1/${result.parts.length}`);
    });
  },
);

describe("a single alert larger than any limit", () => {
  it("is cut on a character boundary, never mid-character, and still delivered", async () => {
    const destination = destinations.wecom;
    const { result, groups } = render(destination, cjkAlerts(1, 400));
    const [part] = result.parts;
    if (!part) throw new Error("no part");
    expect(Buffer.byteLength(part.body)).toBeLessThan(4096);
    expect(part.body).not.toContain("\uFFFD");
    expect(await destination.send(part, { idempotencyKey: "k", groups, now: Date.now() })).toEqual({
      kind: "delivered",
    });
  });
});
