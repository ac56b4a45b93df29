import { afterAll, describe, expect, it } from "vitest";
import {
  INLINE_BELOW_BYTES,
  startPayloadParser,
} from "../../webhook-receiver/payload/payload-parser.js";
import { DEFAULT_PAYLOAD_LIMITS } from "../../webhook-receiver/payload/payload-limits.js";
import { prepareBody } from "../../webhook-receiver/payload/prepare-notification.js";
import { webhookPayload } from "./sample-notifications.js";

const parser = startPayloadParser();
afterAll(() => parser.close());

/** A group well over the size handled on the event loop: `count` alerts with long labels. */
function largeGroup(count: number, extra: Record<string, unknown> = {}): Uint8Array {
  const body = webhookPayload({
    alerts: Array.from({ length: count }, (_, i) => ({
      name: "GpuMemoryHigh",
      labels: { gpu: String(i), node: `node-${i % 7}`, note: "é".repeat(40) },
    })),
  });
  const bytes = Buffer.from(JSON.stringify({ ...body, ...extra }));
  expect(bytes.length).toBeGreaterThan(INLINE_BELOW_BYTES);
  return bytes;
}

describe("the payload parser", () => {
  it("prepares a large body in its thread exactly as on the event loop", async () => {
    const bytes = largeGroup(400);
    const expected = prepareBody(bytes, DEFAULT_PAYLOAD_LIMITS);
    const prepared = await parser.prepare(new Uint8Array(bytes), DEFAULT_PAYLOAD_LIMITS);
    expect(prepared.ok).toBe(true);
    expect(prepared).toEqual(expected);
    if (!prepared.ok) return;
    expect(prepared.notification.alerts).toHaveLength(400);
  });

  it("refuses large bodies as the event loop would: malformed, over a limit, invalid", async () => {
    const valid = largeGroup(300);
    const malformed = valid.slice(0, valid.length - 10);
    const refused = await parser.prepare(malformed, DEFAULT_PAYLOAD_LIMITS);
    expect(refused).toMatchObject({ ok: false, refusal: { kind: "invalid-json" } });
    const overLimit = await parser.prepare(largeGroup(300), {
      ...DEFAULT_PAYLOAD_LIMITS,
      maxAlertsPerGroup: 100,
    });
    expect(overLimit).toMatchObject({
      ok: false,
      refusal: { kind: "limit-exceeded", violation: { limit: "max_alerts_per_group" } },
    });
    const invalid = await parser.prepare(
      largeGroup(300, { status: "burning" }),
      DEFAULT_PAYLOAD_LIMITS,
    );
    expect(invalid).toMatchObject({ ok: false, refusal: { kind: "invalid-payload" } });
    if (invalid.ok || invalid.refusal.kind !== "invalid-payload") return;
    expect(invalid.refusal.diagnostics.map((d) => d.path)).toContainEqual(["status"]);
  });

  it("answers requests in flight together, each with its own body", async () => {
    const bodies = [120, 200, 150].map((n) => largeGroup(n));
    const prepared = await Promise.all(
      bodies.map((b) => parser.prepare(new Uint8Array(b), DEFAULT_PAYLOAD_LIMITS)),
    );
    expect(prepared.map((p) => (p.ok ? p.notification.alerts.length : -1))).toEqual([
      120, 200, 150,
    ]);
  });
});
