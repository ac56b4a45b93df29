import { describe, expect, it } from "vitest";
import { builtinTemplates } from "../../webhook-receiver/config/load-config.js";
import { genericWebhookDestination } from "../../webhook-receiver/destinations/generic-webhook.js";
import type { Alert } from "../../webhook-receiver/payload/notification.js";
import { renderMessage } from "../../webhook-receiver/render/render-message.js";
import type { GroupInput } from "../../webhook-receiver/render/render-context.js";
import { TEXT_ALERTS_PER_PART } from "../../webhook-receiver/render/split-alert-data.js";
import { notification } from "./sample-notifications.js";

const NOW = new Date("2026-11-22T04:00:00Z");

function group(n: number, alerts: number): GroupInput {
  const list: Alert[] = Array.from({ length: alerts }, (_, i) => ({
    status: "firing",
    labels: { alertname: "GpuMemoryHigh", severity: "warning", node: `node-${n}`, gpu: String(i) },
    annotations: { summary: `GPU ${i} memory above 95% on node-${n}` },
    startsAt: new Date(Date.parse("2026-11-22T00:00:00Z") + i * 60_000).toISOString(),
    fingerprint: `${n.toString(16).padStart(8, "0")}${i.toString(16).padStart(8, "0")}`,
  }));
  return {
    notification: notification(list, { groupKey: `{}:{node="node-${n}"}` }),
    previouslyFiring: new Set(),
  };
}

function render(groups: GroupInput[], sizeLimit?: number) {
  const destination = genericWebhookDestination({
    name: "sink",
    url: "http://127.0.0.1:9/",
    timeoutMs: 1000,
    headers: {},
    http: () => Promise.reject(new Error("not sent in this test")),
    ...(sizeLimit !== undefined ? { sizeLimit } : {}),
  });
  const templates = builtinTemplates("webhook");
  const result = renderMessage({
    destination,
    templates,
    fallback: templates,
    groups,
    now: NOW,
    idempotencyKey: "aiwatch-1-2-3",
    maxParts: 1,
  });
  const alertsInData = result.parts.map((part, i) => {
    const body = destination.request(part, {
      idempotencyKey: "aiwatch-1-2-3",
      groups: result.partGroups[i] ?? [],
      now: NOW.getTime(),
    }) as { notifications: { alerts: { fingerprint: string }[] }[] };
    return body.notifications.flatMap((n) => n.alerts.map((a) => a.fingerprint));
  });
  return { result, alertsInData, destination };
}

describe("a generic-webhook digest laid out for one request", () => {
  const groups = [group(1, 30), group(2, 30), group(3, 30)];
  const everyAlert = groups.flatMap((g) => g.notification.alerts.map((a) => a.fingerprint));

  it("goes as one part carrying every alert as data when it fits", () => {
    const { result, alertsInData } = render(groups);
    expect(result.parts).toHaveLength(1);
    expect(result.partAlerts[0]).toHaveLength(90);
    expect(alertsInData[0]?.sort()).toEqual([...everyAlert].sort());
    expect(result.trimmed).toBe(false);
    // The text lists at most TEXT_ALERTS_PER_PART alerts; the data carries the rest.
    const listed = everyAlert.filter((_, i) =>
      result.parts[0]?.body.includes(
        `GPU ${i % 30} memory above 95% on node-${Math.floor(i / 30) + 1}`,
      ),
    );
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.length).toBeLessThanOrEqual(TEXT_ALERTS_PER_PART);
  });

  it("is split into parts, each alert once, when one request cannot hold it", () => {
    const whole = render(groups);
    const size = whole.destination.measure(whole.result.parts[0] ?? { title: "", body: "" }, {
      idempotencyKey: "aiwatch-1-2-3",
      groups: whole.result.partGroups[0] ?? [],
      now: NOW.getTime(),
    });
    const { result, alertsInData } = render(groups, Math.floor(size / 2));
    expect(result.parts.length).toBeGreaterThan(1);
    expect(alertsInData.flat().sort()).toEqual([...everyAlert].sort());
  });
});
