import { median } from "../../support/benchmark.js";
import { waitFor } from "../../../core/process/wait-for.js";

interface GroupReading {
  readonly iterations: number;
  readonly lastDuration: number;
}

/** Reads each rule group's iteration count and last evaluation duration from /metrics. */
async function readGroups(prometheusUrl: string): Promise<Map<string, GroupReading>> {
  const text = await (await fetch(`${prometheusUrl}/metrics`)).text();
  const iterations = new Map<string, number>();
  const durations = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match =
      /^(prometheus_rule_group_iterations_total|prometheus_rule_group_last_duration_seconds)\{rule_group="[^"]*;([^"]+)"\} (\S+)$/.exec(
        line,
      );
    if (!match) continue;
    const [, metric, group = "", value = "0"] = match;
    (metric === "prometheus_rule_group_iterations_total" ? iterations : durations).set(
      group,
      Number(value),
    );
  }
  const out = new Map<string, GroupReading>();
  for (const [group, count] of iterations)
    out.set(group, { iterations: count, lastDuration: durations.get(group) ?? NaN });
  return out;
}

/**
 * Median evaluation duration (seconds) of every rule group over `evaluations` completed
 * evaluations, skipping the first (it warms caches and may run before data is loaded).
 */
export async function medianGroupDurations(
  prometheusUrl: string,
  evaluations: number,
  timeoutMs: number,
  only?: string,
): Promise<Map<string, number>> {
  const samples = new Map<string, number[]>();
  const seen = new Map<string, number>();
  await waitFor(
    `${evaluations} rule evaluations of every group`,
    async () => {
      const all = await readGroups(prometheusUrl);
      // After a reload, a removed group's metrics may linger: read only the one measured.
      const groups = only === undefined ? all : new Map([...all].filter(([g]) => g === only));
      if (groups.size === 0) return undefined;
      for (const [group, reading] of groups) {
        if (reading.iterations > (seen.get(group) ?? 1) && reading.iterations >= 2) {
          seen.set(group, reading.iterations);
          const list = samples.get(group) ?? [];
          list.push(reading.lastDuration);
          samples.set(group, list);
        }
      }
      const done = [...groups.keys()].every((g) => (samples.get(g)?.length ?? 0) >= evaluations);
      return done ? true : undefined;
    },
    { timeoutMs, pollMs: 200 },
  );
  return new Map([...samples].map(([group, list]) => [group, median(list)]));
}
