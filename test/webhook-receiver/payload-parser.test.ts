import { afterAll, describe, expect, it } from "vitest";
import {
  INLINE_BELOW_BYTES,
  startPayloadParser,
} from "../../webhook-receiver/payload/payload-parser.js";
import { SLICE_BYTES, sliceAlerts } from "../../webhook-receiver/payload/alert-slices.js";
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

/** A body as Node reads one: chunks of 64 KiB, each in a buffer of its own. */
function chunksOf(bytes: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; start += 65_536)
    chunks.push(new Uint8Array(bytes.subarray(start, start + 65_536)));
  return chunks;
}

describe("the payload parser", () => {
  it("prepares a large body in its thread exactly as on the event loop", async () => {
    const bytes = largeGroup(400);
    const expected = prepareBody(bytes, DEFAULT_PAYLOAD_LIMITS);
    const prepared = await parser.prepare(chunksOf(bytes), DEFAULT_PAYLOAD_LIMITS);
    if (!prepared.ok) throw new Error("refused");
    expect(prepared.notification.alerts).toHaveLength(400);
    // The stored JSON comes as UTF-8 bytes, to go on to the store without a copy.
    const { payload } = prepared.record;
    if (typeof payload === "string") throw new Error("the payload came as a string");
    expect({
      ...prepared,
      record: { ...prepared.record, payload: new TextDecoder().decode(payload) },
    }).toEqual(expected);
  });

  it("refuses large bodies as the event loop would: malformed, over a limit, invalid", async () => {
    const valid = largeGroup(300);
    const malformed = valid.slice(0, valid.length - 10);
    const refused = await parser.prepare([malformed], DEFAULT_PAYLOAD_LIMITS);
    expect(refused).toMatchObject({ ok: false, refusal: { kind: "invalid-json" } });
    const overLimit = await parser.prepare([largeGroup(300)], {
      ...DEFAULT_PAYLOAD_LIMITS,
      maxAlertsPerGroup: 100,
    });
    expect(overLimit).toMatchObject({
      ok: false,
      refusal: { kind: "limit-exceeded", violation: { limit: "max_alerts_per_group" } },
    });
    const invalid = await parser.prepare(
      [largeGroup(300, { status: "burning" })],
      DEFAULT_PAYLOAD_LIMITS,
    );
    expect(invalid).toMatchObject({ ok: false, refusal: { kind: "invalid-payload" } });
    if (invalid.ok || invalid.refusal.kind !== "invalid-payload") return;
    expect(invalid.refusal.diagnostics.map((d) => d.path)).toContainEqual(["status"]);
  });

  it("takes over the chunks a large body was read in, and copies those that share a buffer", async () => {
    const bytes = largeGroup(400);
    const expected = prepareBody(bytes, DEFAULT_PAYLOAD_LIMITS);
    const owned = chunksOf(bytes);
    // Views into one buffer, as a pooled read would give (Buffers, as Node's are): sent
    // as copies, the buffer left alone.
    const shared = Buffer.from(bytes);
    const views = [shared.subarray(0, 1000), shared.subarray(1000)];
    const [fromOwned, fromViews] = await Promise.all([
      parser.prepare(owned, DEFAULT_PAYLOAD_LIMITS),
      parser.prepare(views, DEFAULT_PAYLOAD_LIMITS),
    ]);
    expect(owned.every((chunk) => chunk.byteLength === 0)).toBe(true);
    expect(views.map((view) => view.byteLength)).toEqual([1000, bytes.length - 1000]);
    for (const prepared of [fromOwned, fromViews])
      expect(prepared.ok && prepared.notification).toEqual(expected.ok && expected.notification);
  });

  it("answers requests in flight together, each with its own body", async () => {
    const bodies = [120, 200, 150].map((n) => largeGroup(n));
    const prepared = await Promise.all(
      bodies.map((b) => parser.prepare(chunksOf(b), DEFAULT_PAYLOAD_LIMITS)),
    );
    expect(prepared.map((p) => (p.ok ? p.notification.alerts.length : -1))).toEqual([
      120, 200, 150,
    ]);
  });
});

describe("alert slices", () => {
  it("bound what one event-loop turn decodes by size, not by count, and keep every alert", () => {
    const decode = (slice: Uint8Array): unknown[] =>
      JSON.parse(new TextDecoder().decode(slice)) as unknown[];
    // Narrow alerts (hundreds per slice), wide ones (a few), and one wider than a slice.
    const narrow = Array.from({ length: 2000 }, (_, i) => ({ labels: { i: String(i) } }));
    const wide = Array.from({ length: 40 }, (_, i) => ({ labels: { i, note: "é".repeat(3000) } }));
    const huge = { labels: { note: "x".repeat(3 * SLICE_BYTES) } };
    const alerts = [...narrow, ...wide, huge, ...narrow.slice(0, 5)];
    const slices = sliceAlerts(alerts);
    expect(slices.flatMap(decode)).toEqual(alerts);
    for (const slice of slices) {
      const count = decode(slice).length;
      // About SLICE_BYTES of text (bytes count "é" twice), or one alert alone.
      if (count > 1) expect(slice.byteLength).toBeLessThan(2 * SLICE_BYTES);
      expect(count).toBeGreaterThan(0);
    }
    expect(slices.filter((s) => decode(s).length === 1)).toHaveLength(1);
    expect(slices.length).toBeLessThan(alerts.length / 10);
    expect(sliceAlerts([])).toEqual([]);
  });
});
