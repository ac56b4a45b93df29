import { describe, expect, it } from "vitest";
import { summarizeHistory } from "../../../webhook-receiver/incidents/incident-history.js";
import { incidentState } from "../../../webhook-receiver/incidents/incident-state.js";
import type { IncidentRow } from "../../../webhook-receiver/incidents/incident-store.js";
import { buildTimeline } from "../../../webhook-receiver/incidents/incident-timeline.js";
import type { TimelineInput } from "../../../webhook-receiver/incidents/incident-timeline.js";
import { renderIncidentPage } from "../../../webhook-receiver/incidents/render-incident-page.js";
import type { Alert } from "../../../webhook-receiver/payload/notification.js";
import { sampleEnrichment } from "../../support/sample-incident.js";
import { notification } from "../sample-notifications.js";

const T0 = Date.parse("2026-11-22T03:00:00.000Z");
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

function incident(extra: Partial<IncidentRow> = {}): IncidentRow {
  return {
    id: 7,
    token: "k",
    receiver: "aiwatch",
    groupKey: "g",
    alertname: "GpuHot",
    fingerprint: "f0",
    startedAt: T0,
    openedAt: T0 + MIN,
    lastAt: T0 + 31 * MIN,
    notifications: 2,
    ...extra,
  };
}

function alert(status: Alert["status"]): Alert {
  return {
    status,
    labels: { alertname: "GpuHot", gpu: "0", severity: "warning" },
    annotations: {},
    startsAt: iso(T0),
    ...(status === "resolved" ? { endsAt: iso(T0 + 30 * MIN) } : {}),
    fingerprint: "f0",
  };
}

/** One episode with every kind of record the receiver keeps about it. */
function input(extra: Partial<TimelineInput> = {}): TimelineInput {
  return {
    incident: incident({ closedAt: T0 + 30 * MIN, closeReason: "resolved" }),
    notifications: [
      { id: 1, receivedAt: T0 + MIN, notification: notification([alert("firing")]) },
      { id: 2, receivedAt: T0 + 31 * MIN, notification: notification([alert("resolved")]) },
    ],
    deliveries: [
      delivery(11, 1, "slack", { state: "delivered", attempts: 2 }),
      delivery(12, 1, "mail", {
        state: "dead",
        attempts: 1,
        finishedAt: T0 + MIN + 2000,
        lastError: "401 for token SECRET",
      }),
      delivery(13, 2, "slack", { kind: "follow_up", nextAttemptAt: T0 + 40 * MIN }),
      delivery(14, 2, "mail", { attempts: 3, nextAttemptAt: T0 + 45 * MIN }),
      // Another incident's notification: not on this timeline.
      delivery(15, 99, "slack", { state: "delivered", attempts: 1 }),
    ],
    attempts: [
      { deliveryId: 11, at: T0 + MIN + 1000, outcome: "retry", detail: "HTTP 503", batch: 1 },
      {
        deliveryId: 12,
        at: T0 + MIN + 2000,
        outcome: "permanent",
        detail: "401 for token SECRET",
        batch: 1,
      },
      { deliveryId: 11, at: T0 + MIN + 5000, outcome: "delivered", durationMs: 12.4, batch: 3 },
      { deliveryId: 15, at: T0 + MIN + 6000, outcome: "delivered", batch: 1 },
    ],
    actions: [
      {
        at: T0 + 2 * MIN,
        action: "restart-job",
        mode: "dry_run",
        result: "dry_run",
        detail: "would POST with SECRET",
      },
    ],
    enrichment: sampleEnrichment({ onsetMs: T0, series: 1, points: 10 }),
    redact: (t) => t.replaceAll("SECRET", "<redacted>"),
    ...extra,
  };
}

function delivery(
  id: number,
  notificationId: number,
  destination: string,
  extra: Partial<TimelineInput["deliveries"][number]> = {},
): TimelineInput["deliveries"][number] {
  return {
    id,
    notificationId,
    destination,
    kind: "notification",
    state: "pending",
    attempts: 0,
    createdAt: T0 + MIN,
    nextAttemptAt: T0 + MIN,
    ...extra,
  };
}

describe("buildTimeline", () => {
  it("tells the episode in order, every kind of record as a person reads it, secrets redacted", () => {
    const events = buildTimeline(input()).map((e) => [e.at - T0, e.kind, e.text]);
    expect(events).toEqual([
      [0, "fired", "GpuHot fired (gpu=0)"],
      [
        30_000,
        "enriched",
        "evidence captured: Probable cause: data (confidence 0.72) — feature-drift feature=f0 model=m-1",
      ],
      [MIN, "received", "notification #1 from Alertmanager (firing: 1 firing, 0 resolved)"],
      [MIN + 1000, "retry", "message for #1 to slack not accepted, will retry: HTTP 503"],
      [MIN + 2000, "failed", "message for #1 to mail refused: 401 for token <redacted>"],
      [
        MIN + 2000,
        "failed",
        "message for #1 to mail moved to dead letters after 1 attempt: 401 for token <redacted>",
      ],
      [
        MIN + 5000,
        "sent",
        "message for #1 to slack delivered in a digest of 3 notifications (12 ms)",
      ],
      [2 * MIN, "action", "action restart-job (dry run): dry run — would POST with <redacted>"],
      [30 * MIN, "resolved", "GpuHot resolved (gpu=0)"],
      [30 * MIN, "resolved", "incident resolved after 30m 0s"],
      [31 * MIN, "received", "notification #2 from Alertmanager (resolved: 0 firing, 1 resolved)"],
      [40 * MIN, "pending", "follow-up for #2 to slack pending (attempt 1 due)"],
      [45 * MIN, "pending", "message for #2 to mail pending (attempt 4 due)"],
    ]);
  });

  it("counts attempts in words: one attempt, three attempts", () => {
    const dead = (attempts: number) =>
      buildTimeline(
        input({
          attempts: [],
          deliveries: [delivery(11, 1, "slack", { state: "dead", attempts })],
        }),
      ).find((e) => e.kind === "failed")?.text;
    expect(dead(1)).toBe("message for #1 to slack moved to dead letters after 1 attempt");
    expect(dead(3)).toBe("message for #1 to slack moved to dead letters after 3 attempts");
  });

  it("ends an episode the group's new alerts superseded, and leaves an open one open", () => {
    const ended = buildTimeline(
      input({ incident: incident({ closedAt: T0 + 20 * MIN, closeReason: "superseded" }) }),
    ).filter((e) => e.kind === "ended");
    expect(ended.map((e) => [e.at - T0, e.text])).toEqual([
      [
        20 * MIN,
        "incident ended: the group fired again with new alerts (no resolved notification was sent)",
      ],
    ]);
    const open = buildTimeline(input({ incident: incident() }));
    expect(open.filter((e) => e.kind === "ended" || e.text.startsWith("incident "))).toEqual([]);
  });
});

describe("summarizeHistory", () => {
  const occurrence = (
    id: number,
    start: number,
    end?: number,
    reason: IncidentRow["closeReason"] = "resolved",
  ) =>
    incident({
      id,
      startedAt: T0 + start * MIN,
      ...(end !== undefined ? { closedAt: T0 + end * MIN, closeReason: reason } : {}),
    });

  it("counts re-fires within an hour of the previous end as flaps, and the median time to resolve", () => {
    const current = occurrence(5, 300);
    const previous = [
      occurrence(4, 200, 230), // 70 min before the current one: not a flap
      occurrence(3, 100, 110, "superseded"), // 90 min before #4 started: not a flap; not resolved
      occurrence(2, 50, 60), // #3 came 40 min after its end: a flap
      occurrence(1, 0, 20), // #2 came 30 min after its end: a flap
    ];
    expect(summarizeHistory(current, previous)).toEqual({
      occurrences: 5,
      flaps: 2,
      resolved: 3,
      medianResolveMs: 20 * MIN, // of 30, 10 and 20 minutes
    });
  });

  it("takes the mean of the middle two for an even count, and has no median with none resolved", () => {
    expect(
      summarizeHistory(occurrence(3, 200, 240), [occurrence(2, 100, 110), occurrence(1, 0, 20)]),
    ).toMatchObject({ flaps: 0, resolved: 3, medianResolveMs: 20 * MIN });
    expect(summarizeHistory(occurrence(2, 100, 140), [occurrence(1, 0, 10)])).toMatchObject({
      resolved: 2,
      medianResolveMs: 25 * MIN,
    });
    expect(summarizeHistory(occurrence(2, 30), [occurrence(1, 0)])).toEqual({
      occurrences: 2,
      flaps: 0,
      resolved: 0,
    });
  });
});

describe("the incident page", () => {
  const page = (extra: Partial<Parameters<typeof renderIncidentPage>[0]> = {}) =>
    renderIncidentPage({
      incident: incident(),
      notifications: input().notifications,
      enrichment: undefined,
      timeline: [],
      history: [occurrence(1, -100, -90)],
      now: T0 + 40 * MIN,
      basePath: "/incidents",
      ...extra,
    });
  function occurrence(id: number, start: number, end: number): IncidentRow {
    return incident({
      id,
      startedAt: T0 + start * MIN,
      closedAt: T0 + end * MIN,
      closeReason: "resolved",
    });
  }

  it("shows one state for an incident wherever it appears, and counts in words", () => {
    expect(incidentState(incident())).toBe("firing");
    expect(incidentState({ closedAt: 1, closeReason: "resolved" })).toBe("resolved");
    expect(incidentState({ closedAt: 1, closeReason: "superseded" })).toBe("ended");
    const html = page();
    expect(html).toContain('<span class="state state-firing">FIRING</span>');
    expect(html).toContain("2 notifications</p>");
    expect(html).toContain("1 previous occurrence of this alert with the same labels");
    expect(html).toContain("flapping: 0 re-fires within an hour");
  });

  it("counts the alerts beyond the first 100 in words", () => {
    const alerts = (count: number): Alert[] =>
      Array.from({ length: count }, (_, i) => ({
        status: "firing",
        labels: { alertname: "GpuHot", gpu: String(i) },
        annotations: {},
        startsAt: iso(T0),
        fingerprint: `f${i}`,
      }));
    const listing = (count: number) =>
      page({
        notifications: [{ id: 1, receivedAt: T0, notification: notification(alerts(count)) }],
      });
    expect(listing(101)).toContain("+1 more alert in this group</p>");
    expect(listing(103)).toContain("+3 more alerts in this group</p>");
    expect(listing(100)).not.toContain("more alert");
  });

  it("says when a long incident's timeline shows only its newest records", () => {
    expect(page()).not.toContain('data-timeline="cut"');
    expect(page({ timelineCut: true })).toContain('data-timeline="cut"');
  });
});
