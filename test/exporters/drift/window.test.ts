import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { SlidingWindow } from "../../../exporters/drift/window/sliding-window.js";
import { seededRandom } from "../../support/seeded-random.js";
import { monitorFor, normalSample, profileOf, records } from "./drift-helpers.js";

function windowRecords(window: SlidingWindow, size: number, now: number): number {
  return window.aggregate(now, new Float64Array(size), new Float64Array(size));
}

describe("sliding window", () => {
  it("keeps between maxRecords·(1 − 1/panes) and maxRecords records, sliding a pane at a time", () => {
    const window = new SlidingWindow(1, { maxRecords: 100, panes: 10 });
    const seen: number[] = [];
    for (let i = 1; i <= 1000; i++) {
      window.paneFor(0);
      seen.push(windowRecords(window, 1, 0));
    }
    expect(Math.max(...seen)).toBe(100);
    expect(Math.min(...seen.slice(100))).toBe(91);
    expect(window.paneCount).toBe(10);
  });

  it("forgets records older than its duration, a pane at a time", () => {
    const window = new SlidingWindow(1, { durationMs: 60_000, panes: 6 });
    for (let t = 0; t < 120_000; t += 1000) {
      const pane = window.paneFor(t);
      pane.counts[0] = (pane.counts[0] ?? 0) + 1;
    }
    // Records at 0..119 s; at 119 s a one-minute window holds 60 s, plus at most one pane (10 s).
    const counts = new Float64Array(1);
    const held = window.aggregate(119_000, counts, new Float64Array(1));
    expect(held).toBeGreaterThanOrEqual(60);
    expect(held).toBeLessThanOrEqual(70);
    expect(counts[0]).toBe(held);
    // Nothing arrives for a while: the window empties.
    expect(windowRecords(window, 1, 119_000 + 60_001)).toBe(0);
  });

  it("with both limits, the tighter one wins", () => {
    const window = new SlidingWindow(1, { maxRecords: 50, durationMs: 60_000, panes: 5 });
    for (let i = 0; i < 500; i++) window.paneFor(1000);
    expect(windowRecords(window, 1, 1000)).toBeLessThanOrEqual(50);
    expect(windowRecords(window, 1, 1000 + 60_001)).toBe(0);
  });
});

describe("a window's scores follow the stream", () => {
  it("forgets a drifted burst once it has slid out", () => {
    const random = seededRandom(7);
    const { monitor } = monitorFor(profileOf({ x: normalSample(random, 5000) }), {
      window: { records: 1000, panes: 10 },
      methods: ["psi"],
    });
    monitor.ingest(records("x", normalSample(random, 1000, 3)), 0);
    expect(monitor.evaluate(0)[0]?.scores?.[0]?.detected).toBe(true);
    monitor.ingest(records("x", normalSample(random, 1000)), 0);
    expect(monitor.evaluate(0)[0]?.scores?.[0]?.detected).toBe(false);
  });
});

/**
 * The budget in DESIGN.md: drift windows take memory independent of the stream's length.
 * Ten million values go through a window of 100,000 (10 panes) on one numeric feature with
 * 100 fine bins; the heap after a full GC is measured as the stream goes on.
 */
describe("memory", () => {
  it("does not grow with the stream: 10 million values through a window", () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const random = seededRandom(11);
    const { monitor } = monitorFor(profileOf({ x: normalSample(random, 10_000) }), {
      window: { records: 100_000, panes: 10 },
      methods: ["psi", "ks", "wasserstein"],
    });
    const batch = normalSample(random, 10_000, 0.1).map((x) => ({ x }));
    const heap: { values: number; bytes: number }[] = [];
    const total = 10_000_000;
    for (let streamed = 0; streamed < total;) {
      monitor.ingest(batch, streamed);
      streamed += batch.length;
      if (streamed % 100_000 === 0) monitor.evaluate(streamed);
      if (streamed === 1_000_000 || streamed % 2_500_000 === 0) {
        gc();
        heap.push({ values: streamed, bytes: process.memoryUsage().heapUsed });
      }
    }
    console.log(
      `heap used after GC while streaming ${total.toLocaleString("en")} values through a 100,000-value window:\n` +
        heap
          .map(
            (h) =>
              `  ${h.values.toLocaleString("en").padStart(10)} values: ${(h.bytes / 1048576).toFixed(2)} MiB`,
          )
          .join("\n"),
    );
    const first = heap[0]?.bytes ?? 0;
    const last = heap[heap.length - 1]?.bytes ?? 0;
    // The window itself is ~160 KB; 8 MB of 10M float64 values would be 80 MB. Allow GC noise.
    expect(last - first).toBeLessThan(2 * 1048576);
    const [scores] = monitor.evaluate(total);
    expect(scores?.windowSamples).toBeLessThanOrEqual(100_000);
    expect(scores?.windowSamples).toBeGreaterThanOrEqual(90_000);
  });
});
