import { describe, expect, it } from "vitest";
import {
  filingFacts,
  planIncidentFiling,
} from "../../../webhook-receiver/incidents/incident-filing.js";
import type {
  FiledIncident,
  FilingInput,
} from "../../../webhook-receiver/incidents/incident-filing.js";
import { notification } from "../sample-notifications.js";

const GROUP = '{}:{alertname="GpuHot"}';

function input(
  notificationId: number,
  alerts: readonly { fp: string; startsAt: string; status?: "firing" | "resolved" }[],
): FilingInput {
  return {
    notificationId,
    receivedAt: 1000 + notificationId,
    receiver: "aiwatch",
    groupKey: GROUP,
    facts: filingFacts(
      notification(
        alerts.map((a) => ({
          status: a.status ?? "firing",
          labels: { alertname: "GpuHot" },
          annotations: {},
          startsAt: a.startsAt,
          fingerprint: a.fp,
        })),
        { groupKey: GROUP },
      ),
    ),
  };
}

const S1 = "2026-11-22T03:00:00.000Z";

/** Incident 7, stored and open since 900, showing alert `a` started at S1. */
function storedEpisode(seen: { lastAt: number; notifications: number }): FiledIncident {
  return {
    id: 7,
    receiver: "aiwatch",
    groupKey: GROUP,
    alertname: "GpuHot",
    fingerprint: "a",
    startedAt: Date.parse(S1),
    openedAt: 900,
    alertKeys: [`a@${S1}`],
    ...seen,
  };
}

describe("incident filing plan (PostgreSQL files by it)", () => {
  it("supersedes an episode opened earlier in the same batch when the group fires anew, in accept order", () => {
    // Given out of order: filing follows notification ids, as routing does.
    const plan = planIncidentFiling(
      [],
      [input(3, [{ fp: "c", startsAt: S1 }]), input(1, [{ fp: "a", startsAt: S1 }])],
    );
    expect(plan.incidents.map((i) => [i.id, i.fingerprint, i.closeReason, i.closedAt])).toEqual([
      [-1, "a", "superseded", 1001],
      [-2, "c", undefined, undefined],
    ]);
    expect(plan.links).toEqual([
      { notificationId: 1, incidentId: -1 },
      { notificationId: 3, incidentId: -2 },
    ]);
  });

  it("closes a stored open episode that a notification with only new alerts supersedes", () => {
    const open = storedEpisode({ lastAt: 950, notifications: 2 });
    const plan = planIncidentFiling([open], [input(4, [{ fp: "b", startsAt: S1 }])]);
    // Both are written back: the stored one closed, or the new one could not open.
    expect(plan.incidents.map((i) => [i.id, i.fingerprint, i.closeReason, i.closedAt])).toEqual([
      [7, "a", "superseded", 950],
      [-1, "b", undefined, undefined],
    ]);
    expect(plan.links).toEqual([{ notificationId: 4, incidentId: -1 }]);
  });

  it("continues a stored open episode that shows one of its alerts, and closes it on resolution", () => {
    const open = storedEpisode({ lastAt: 900, notifications: 1 });
    const plan = planIncidentFiling(
      [open],
      [
        input(4, [
          { fp: "a", startsAt: S1 },
          { fp: "b", startsAt: S1 },
        ]),
        input(5, [{ fp: "a", startsAt: S1, status: "resolved" }]),
        input(6, [{ fp: "a", startsAt: "2026-11-22T05:00:00.000Z" }]),
      ],
    );
    const [continued, next] = plan.incidents;
    expect(continued).toMatchObject({
      id: 7,
      notifications: 3,
      lastAt: 1005,
      closeReason: "resolved",
      alertKeys: [`a@${S1}`, `b@${S1}`],
    });
    expect(next).toMatchObject({ id: -1, notifications: 1, openedAt: 1006 });
    expect(plan.links.map((l) => l.incidentId)).toEqual([7, 7, -1]);
  });
});
