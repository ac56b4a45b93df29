import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli/main.js";
import { requireBinaries } from "../support/binaries.js";
import { makeTempDir } from "../support/temp-dir.js";

/**
 * The anomaly detector at its defaults, with the spec's default scrape interval (15s) left
 * in place, on series sampled every 5 minutes, 30 minutes and hour: a daily cycle for
 * three weeks, one spike in the last week. Before this detector, robust and seasonal
 * stayed silent on hourly and 30-minute data (their sample gates could never be met) and
 * robust paged at every turn of a clean daily sine wave. Replayed through a real
 * Prometheus, each group at its own interval.
 */
const SPEC = `version: aiwatch/v1
name: intervals
defaults: { runbook_base_url: https://runbooks.example.com }
monitors:
  - { name: anomaly, layer: model, signal: value, detector: { type: anomaly } }
`;
const START = Date.parse("2024-03-04T00:00:00Z");
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const DAYS = 21;
/**
 * At 14:00, in the cycle's lower half. The bound does not follow the time of day: it sits
 * 3.5 spreads of the week's hourly peaks above their median (here about 100 + 3.5 x 37),
 * so the spike has to clear the whole cycle by that much.
 */
const SPIKE_AT = 18 * DAY + 14 * 60 * MIN;

/** A deterministic noise source, so a failure reproduces. */
function noise(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648 - 0.5;
  };
}

function dailySine(stepMin: number, spike: boolean, noisy: boolean): string {
  const next = noise(stepMin);
  const lines = ["timestamp,value"];
  for (let t = 0; t < DAYS * DAY; t += stepMin * MIN) {
    const cycle = 100 + 40 * Math.sin((2 * Math.PI * t) / DAY);
    const value = cycle + (noisy ? 8 * next() : 0) + (spike && t === SPIKE_AT ? 300 : 0);
    lines.push(`${(START + t) / 1000},${value.toFixed(3)}`);
  }
  return lines.join("\n") + "\n";
}

const STEPS = [5, 30, 60];
const { available } = requireBinaries("prometheus");
const temp = makeTempDir("anomaly-intervals");
afterAll(() => temp.remove());

interface Report {
  series: { name: string; monitors: { intervals: { startMs: number }[] }[] }[];
  warnings: string[];
}

describe.skipIf(!available)("anomaly at any sample interval, default scrape_interval", () => {
  const data = join(temp.path, "data");
  mkdirSync(data, { recursive: true });
  for (const step of STEPS) {
    writeFileSync(join(data, `spike-${step}m.csv`), dailySine(step, true, true));
    writeFileSync(join(data, `sine-${step}m.csv`), dailySine(step, false, false));
    writeFileSync(join(data, `noisy-sine-${step}m.csv`), dailySine(step, false, true));
  }
  writeFileSync(join(temp.path, "spec.yaml"), SPEC);

  it("fires once at the spike on 5m, 30m and hourly data, and never on a daily sine wave", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(
      ["rules", "backtest", "spec.yaml", "--series", "data", "--engine", "prometheus", "--json"],
      { stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd: temp.path, env: process.env },
    );
    expect(err.join("")).toBe("");
    expect(code).toBe(0);
    const report = JSON.parse(out.join("")) as Report;
    const starts = Object.fromEntries(
      report.series.map((s) => [
        s.name,
        s.monitors.flatMap((m) => m.intervals.map((i) => (i.startMs - START) / MIN)),
      ]),
    );
    const spikeMinute = SPIKE_AT / MIN;
    expect(starts).toEqual(
      Object.fromEntries(
        STEPS.flatMap((step) => [
          [`noisy-sine-${step}m.csv`, []],
          [`sine-${step}m.csv`, []],
          [`spike-${step}m.csv`, [spikeMinute]],
        ]),
      ),
    );
    // No gate sized for 15s scrapes silences the detector on sparse data.
    expect(report.warnings).toEqual([]);
  }, 300_000);
});
