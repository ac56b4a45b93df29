import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { LabelMatcher } from "../../../core/promql/parse-promql.js";
import { repoPath, requireFixtures } from "../../support/fixtures.js";
import { makeTempDir } from "../../support/temp-dir.js";
import { compileRepoSpec } from "../../rulegen/compile-case.js";
import { startEverything } from "./support/everything.js";
import { parseExposition } from "./support/exposition-text.js";
import type { Series } from "./support/exposition-text.js";

const { available, dir: fixtures } = requireFixtures("gpu/nvidia-smi-csv", "gpu/rocm-smi-json");
const temp = makeTempDir("gpu-monitors");
afterAll(() => temp.remove());

function matches(series: Series, matcher: LabelMatcher): boolean {
  const value = series.labels[matcher.name] ?? "";
  const full = (pattern: string) => new RegExp(`^(?:${pattern})$`).test(value);
  switch (matcher.op) {
    case "=":
      return value === matcher.value;
    case "!=":
      return value !== matcher.value;
    case "=~":
      return full(matcher.value);
    case "!~":
      return !full(matcher.value);
  }
}

/** `name{a="1", b="2"}` as promtool input series write it. */
function parseInputSeries(text: string): { name: string; labels: Record<string, string> } {
  const [, name = "", body = ""] = /^([^{]+)(?:\{(.*)\})?$/.exec(text) ?? [];
  const labels = Object.fromEntries(
    [...body.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] ?? "", m[2] ?? ""]),
  );
  return { name, labels };
}

/**
 * The example spec's GPU monitors against what the collector really exposes, so the two
 * cannot drift apart: every monitor's selector selects series of a real scrape (the H100
 * MIG capture under load, XIDs from recorded kernel lines, dcgm-compatible names on),
 * those series carry the labels the monitor aggregates by, and the series its generated
 * promtool test feeds have the same name and label names as the real ones.
 */
describe.skipIf(!available)("the example GPU monitors", () => {
  it("select real series of the collector, with the labels they group by, as their generated tests assume", async () => {
    const gpu = await startEverything(fixtures, temp.path, "dcgm: { enabled: true }");
    let series: Series[];
    try {
      series = parseExposition(await gpu.text());
    } finally {
      await gpu.exporter.stop();
    }
    const compiled = compileRepoSpec("examples/aiwatch.yaml");
    expect(compiled.diagnostics).toEqual([]);
    const monitors = (compiled.specs[0]?.model.monitors ?? []).filter((m) =>
      m.name.startsWith("gpu-"),
    );
    expect(monitors.map((m) => m.name).sort()).toEqual([
      "gpu-ecc-uncorrectable",
      "gpu-ecc-uncorrectable-dcgm",
      "gpu-memory-exhaustion",
      "gpu-thermal-throttling",
      "gpu-xid-errors",
      "gpu-xid-errors-dcgm",
    ]);
    const tests = (
      parse(readFileSync(repoPath("examples/generated/aiwatch.test.yml"), "utf8")) as {
        tests: { name: string; input_series: { series: string }[] }[];
      }
    ).tests;

    for (const monitor of monitors) {
      const selector = monitor.signal.selector;
      expect({ monitor: monitor.name, selector: selector !== undefined }).toEqual({
        monitor: monitor.name,
        selector: true,
      });
      if (!selector) continue;
      const selected = series.filter(
        (s) => s.name === selector.metricName && selector.matchers.every((m) => matches(s, m)),
      );
      expect({ monitor: monitor.name, selected: selected.length > 0 }).toEqual({
        monitor: monitor.name,
        selected: true,
      });
      // `instance` comes from Prometheus' target labels; the others are on the series. (XIDs
      // of a GPU nvidia-smi never listed have an empty `gpu`: see the README.)
      const by = (monitor.by ?? []).filter((l) => l !== "instance");
      const labelled = selected.filter((s) => by.every((label) => (s.labels[label] ?? "") !== ""));
      expect({ monitor: monitor.name, by, labelled: labelled.length > 0 }).toEqual({
        monitor: monitor.name,
        by,
        labelled: true,
      });
      const inputs = tests
        .filter((t) => t.name.startsWith(`${monitor.name}: `))
        .flatMap((t) => t.input_series.map((i) => parseInputSeries(i.series)));
      expect(inputs.length).toBeGreaterThan(0);
      // A forecast's test also feeds its limit series (e.g. memory total): check each
      // input against the real series of its own metric.
      const limit =
        monitor.detector.type === "forecast"
          ? (monitor.detector.above ?? monitor.detector.below)
          : undefined;
      const limitMetric = typeof limit === "string" ? limit.split("{")[0] : undefined;
      for (const input of inputs) {
        // Signals aggregated before a range are recorded first; their tests feed the
        // recording, which the monitor's own rule makes from the raw series checked above.
        if (input.name.includes(":")) {
          expect(input.labels["monitor"]).toBe(monitor.name);
          continue;
        }
        expect([selector.metricName, limitMetric]).toContain(input.name);
        const names = Object.keys(input.labels).filter((l) => l !== "instance");
        const candidates =
          input.name === selector.metricName
            ? labelled
            : series.filter((s) => s.name === input.name);
        const real = candidates.find((s) => names.every((n) => (s.labels[n] ?? "") !== ""));
        expect({ monitor: monitor.name, labels: names, shaped: real !== undefined }).toEqual({
          monitor: monitor.name,
          labels: names,
          shaped: true,
        });
      }
    }
  });
});
