import { describe, expect, it } from "vitest";
import { builtinTemplates } from "../../../webhook-receiver/config/load-config.js";
import type { Alert } from "../../../webhook-receiver/payload/notification.js";
import { periodText } from "../../../webhook-receiver/render/render-context.js";
import { renderMessage } from "../../../webhook-receiver/render/render-message.js";
import { destinationsOfEveryType, TYPES } from "../all-destinations.js";
import { notification } from "../sample-notifications.js";

/** What a message says of when an alert fired: "since" only while it still fires. */
const NOW = new Date("2026-11-22T04:00:00.000Z");
const alert = (name: string, status: Alert["status"], endsAt?: string): Alert => ({
  status,
  labels: { alertname: name },
  annotations: {},
  startsAt: "2017-05-09T07:01:37.000Z",
  ...(endsAt !== undefined ? { endsAt } : {}),
  fingerprint: `fp-${name}`,
});

describe("an alert's period in messages", () => {
  it("reads 'from <start> to <end>' once resolved and 'since <start>' while firing", () => {
    expect(periodText(alert("A", "resolved", "2017-05-09T07:08:37.000Z"), "7m0s")).toBe(
      "from 2017-05-09T07:01:37.000Z to 2017-05-09T07:08:37.000Z (7m0s)",
    );
    expect(periodText(alert("A", "firing"), "7m0s")).toBe("since 2017-05-09T07:01:37.000Z (7m0s)");
    // No end given: no duration either (it would be counted to now, as if still firing).
    expect(periodText(alert("A", "resolved"), "9y")).toBe(
      "from 2017-05-09T07:01:37.000Z (end not given)",
    );
  });

  it("says so in every destination type's built-in template", () => {
    const destinations = destinationsOfEveryType();
    const n = notification([
      alert("Resolved", "resolved", "2017-05-09T07:08:37.000Z"),
      alert("Firing", "firing"),
    ]);
    for (const type of TYPES) {
      const groups = [{ notification: n, previouslyFiring: new Set<string>() }];
      const result = renderMessage({
        destination: destinations[type],
        templates: builtinTemplates(type),
        fallback: builtinTemplates(type),
        groups,
        now: NOW,
        idempotencyKey: "period",
      });
      const body = result.parts.map((p) => p.body).join("\n");
      expect(body, type).toContain(
        "from 2017-05-09T07:01:37.000Z to 2017-05-09T07:08:37.000Z (7m0s)",
      );
      expect(body.match(/since 2017-05-09T07:01:37\.000Z/g), type).toHaveLength(1);
    }
  });
});
