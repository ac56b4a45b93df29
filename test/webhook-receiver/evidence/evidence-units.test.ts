import { describe, expect, it } from "vitest";
import { compileSpecContext as buildSpecContext } from "../../../webhook-receiver/config/compile-spec-context.js";
import type { MonitorContext } from "../../../spec/context/spec-context.js";
import { alertStates } from "../../../webhook-receiver/evidence/alert-state.js";
import { ConcurrencyLimit } from "../../../webhook-receiver/evidence/concurrency-limit.js";
import {
  codesChangedTo,
  eventValues,
  signalSeries,
} from "../../../webhook-receiver/evidence/event-series.js";
import { signalSummary } from "../../../webhook-receiver/evidence/render-analysis.js";
import { expressionFromGeneratorUrl } from "../../../webhook-receiver/evidence/generator-url.js";
import { grafanaExploreUrl, prometheusGraphUrl } from "../../../webhook-receiver/evidence/links.js";
import { DEFAULT_PRIORS, priorFor } from "../../../webhook-receiver/evidence/priors.js";
import { anyOf, selectorText } from "../../../webhook-receiver/evidence/promql-text.js";
import { robustBaseline, robustZ } from "../../../webhook-receiver/evidence/robust-stats.js";
import {
  groupMatchers,
  joinedSignalQuery,
  rawGroupQuery,
  signalQuery,
} from "../../../webhook-receiver/evidence/signal-queries.js";
import type { AnalysisConfig } from "../../../webhook-receiver/evidence/analysis-config.js";
import { DEFAULT_SCORING } from "../../../webhook-receiver/evidence/scoring.js";
import { joinSiblings } from "../../../webhook-receiver/evidence/siblings.js";
import { sparkline } from "../../../webhook-receiver/evidence/sparkline.js";
import {
  DEFAULT_TOPOLOGY,
  entitiesOf,
  joinLabels,
  localityOf,
} from "../../../webhook-receiver/evidence/topology.js";
import { SCENARIO_SPEC } from "../../support/training-scenario.js";

const context = buildSpecContext([
  { file: "rca.yaml", text: SCENARIO_SPEC, displayName: "rca.yaml" },
]);
const monitor = (name: string): MonitorContext => {
  if (!context.ok) throw new Error("spec does not compile");
  const m = context.context.monitors.get(name);
  if (!m) throw new Error(`no monitor ${name}`);
  return m;
};

describe("spec context (from rulegen's compile)", () => {
  it("knows each monitor's layer, signal selector, grouping, kind of values and relations", () => {
    expect(monitor("training-loss-spike")).toMatchObject({
      alertName: "TrainingLossSpike",
      layer: "model",
      by: ["run_id", "job_name"],
      valueKind: "gauge",
      aggregateInQuery: true,
      forMs: 2000,
      scrapeIntervalMs: 1000,
      related: ["feature-drift", "gpu-xid-errors", "learning-rate-changed"],
      selector: {
        metric: "aiwatch_training_loss",
        matchers: [{ name: "phase", op: "=", value: "train" }],
      },
    });
    expect(monitor("gpu-xid-errors").valueKind).toBe("counter");
  });

  it("reads an expression signal through the series aiwatch records for it", () => {
    const built = buildSpecContext([
      {
        file: "x.yaml",
        displayName: "x.yaml",
        text: `version: aiwatch/v1
defaults: { runbook_base_url: https://runbooks.example.com }
monitors:
  - name: null-rate-high
    layer: data
    signal: sum by (model) (rate(nulls_total[5m])) / sum by (model) (rate(rows_total[5m]))
    by: [model]
    detector: { type: threshold, above: 0.05 }
`,
      },
    ]);
    if (!built.ok) throw new Error("does not compile");
    const m = built.context.monitors.get("null-rate-high");
    expect(m?.aggregateInQuery).toBe(false);
    expect(m && signalQuery(m, [{ name: "model", op: "=", value: "m1" }])).toBe(
      'model:null_rate_high:avg{monitor="null-rate-high", model="m1"}',
    );
  });

  it("reads a stopped stream's counter as its increases, a stopped gauge as its level", () => {
    const built = buildSpecContext([
      {
        file: "x.yaml",
        displayName: "x.yaml",
        text: `version: aiwatch/v1
defaults: { runbook_base_url: https://runbooks.example.com }
monitors:
  - { name: rows-stopped, layer: data, signal: aiwatch_data_rows_total, by: [model], detector: { type: absent, lookback: 2h } }
  - { name: drift-stopped, layer: data, signal: aiwatch_data_drift_score, by: [model], detector: { type: absent, lookback: 2h } }
`,
      },
    ]);
    if (!built.ok) throw new Error("does not compile");
    expect(built.context.monitors.get("rows-stopped")?.valueKind).toBe("counter");
    expect(built.context.monitors.get("drift-stopped")?.valueKind).toBe("gauge");
  });

  it("refuses a spec rulegen refuses, with rulegen's diagnostics", () => {
    const built = buildSpecContext([
      {
        file: "bad.yaml",
        displayName: "bad.yaml",
        text: "version: aiwatch/v1\nmonitors:\n  - name: x\n    layer: nope\n",
      },
    ]);
    expect(built.ok).toBe(false);
    if (!built.ok) expect(built.diagnostics.map((d) => d.code)).toContain("invalid-value");
  });
});

describe("queries", () => {
  it("selects the alert's own group of its monitor's signal", () => {
    const m = monitor("training-loss-spike");
    const labels = {
      alertname: "TrainingLossSpike",
      run_id: "r-1",
      job_name: "j",
      monitor: "x",
      severity: "warning",
    };
    expect(signalQuery(m, groupMatchers(m, labels))).toBe(
      'avg by (run_id, job_name) (aiwatch_training_loss{phase="train", job_name="j", run_id="r-1"})',
    );
    expect(rawGroupQuery(m, labels, 60_500)).toBe(
      'last_over_time(aiwatch_training_loss{phase="train", job_name="j", run_id="r-1"}[61s])',
    );
  });

  it("matches a grouping label the alert lacks as empty, not as any value", () => {
    const m = monitor("training-loss-spike");
    const ranked = { ...m, by: ["run_id", "job_name", "rank"] };
    // Prometheus drops an empty label: this alert came from the run's unranked series.
    const labels = { alertname: "TrainingLossSpike", run_id: "r-1", job_name: "j" };
    expect(signalQuery(ranked, groupMatchers(ranked, labels))).toBe(
      'avg by (run_id, job_name, rank) (aiwatch_training_loss{phase="train", job_name="j", rank="", run_id="r-1"})',
    );
    expect(signalQuery(ranked, groupMatchers(ranked, { ...labels, rank: "1" }))).toBe(
      'avg by (run_id, job_name, rank) (aiwatch_training_loss{phase="train", job_name="j", rank="1", run_id="r-1"})',
    );
  });

  it("joins a related monitor on every entity it can share with the alert (counters unsummed)", () => {
    const entities0 = { run_id: "r-1", instance: "10.0.0.7:9401", uuid: "GPU-1" };
    const entities = entitiesOf(entities0, DEFAULT_TOPOLOGY);
    const xid = monitor("gpu-xid-errors");
    // `instance` names the scrape target, not the node, unless the topology says it does.
    // Counters are read series by series (summed per group once differenced).
    expect(joinedSignalQuery(xid, joinLabels(xid.by, entities, DEFAULT_TOPOLOGY))).toBe(
      'aiwatch_gpu_xid_events_total{uuid="GPU-1"}',
    );
    const perNode = {
      ...DEFAULT_TOPOLOGY,
      labels: { ...DEFAULT_TOPOLOGY.labels, node: [...DEFAULT_TOPOLOGY.labels.node, "instance"] },
    };
    expect(
      joinedSignalQuery(xid, joinLabels(xid.by, entitiesOf({ ...entities0 }, perNode), perNode)),
    ).toBe(
      'aiwatch_gpu_xid_events_total{uuid="GPU-1"} or aiwatch_gpu_xid_events_total{instance="10.0.0.7:9401"}',
    );
    // No shared entity possible: every series (cluster).
    const drift = monitor("feature-drift");
    expect(joinLabels(drift.by, entities, DEFAULT_TOPOLOGY)).toEqual([]);
    expect(joinedSignalQuery(drift, [])).toBe(
      'max by (model, feature) (aiwatch_data_drift_score{method="psi"})',
    );
  });

  it("escapes values in regex matchers and sorts them", () => {
    expect(anyOf("instance", ["b.x:1", "a(1)"])).toEqual({
      name: "instance",
      op: "=~",
      value: "a\\(1\\)|b\\.x:1",
    });
    expect(selectorText({ metric: undefined, matchers: [] }, [anyOf("x", ['q"uote'])])).toBe(
      '{x="q\\"uote"}',
    );
  });
});

describe("topology", () => {
  const context = entitiesOf(
    { run_id: "r-1", node: "node-7", uuid: "GPU-3", model: "fraud" },
    DEFAULT_TOPOLOGY,
  );

  it("matches across a kind's labels: Hostname and node name the same node", () => {
    expect(localityOf({ Hostname: "node-7", UUID: "GPU-9" }, context, DEFAULT_TOPOLOGY)).toEqual({
      locality: "node",
      kind: "node",
      label: "Hostname",
      value: "node-7",
    });
    expect(
      localityOf({ Hostname: "node-7", UUID: "GPU-3" }, context, DEFAULT_TOPOLOGY).locality,
    ).toBe("gpu");
    expect(localityOf({ model: "fraud", feature: "age" }, context, DEFAULT_TOPOLOGY).locality).toBe(
      "workload",
    );
    expect(localityOf({ model: "other" }, context, DEFAULT_TOPOLOGY)).toEqual({
      locality: "cluster",
    });
  });

  it("another run shares no job or model with the alert's run; a GPU, node or pod it still can", () => {
    const run = entitiesOf(
      { run_id: "r-nan", job_name: "finetune", model: "fraud", node: "node-7", pod: "w-0" },
      DEFAULT_TOPOLOGY,
    );
    // Another run of the same job and model: as far as the cluster.
    expect(localityOf({ run_id: "r-data", job_name: "finetune" }, run, DEFAULT_TOPOLOGY)).toEqual({
      locality: "cluster",
    });
    expect(localityOf({ run_id: "r-data", model: "fraud" }, run, DEFAULT_TOPOLOGY)).toEqual({
      locality: "cluster",
    });
    // The same run, or series naming no run (a job's or model's own series), still share them.
    expect(localityOf({ run_id: "r-nan", job_name: "finetune" }, run, DEFAULT_TOPOLOGY).kind).toBe(
      "run",
    );
    expect(localityOf({ job_name: "finetune" }, run, DEFAULT_TOPOLOGY)).toMatchObject({
      locality: "workload",
      kind: "job",
    });
    // Another run on the same node or in the same pod is still there.
    expect(
      localityOf({ run_id: "r-data", job_name: "finetune", node: "node-7" }, run, DEFAULT_TOPOLOGY),
    ).toMatchObject({ locality: "node", value: "node-7" });
    expect(localityOf({ run_id: "r-data", pod: "w-0" }, run, DEFAULT_TOPOLOGY)).toMatchObject({
      locality: "workload",
      kind: "pod",
    });
    // Without a run on the alert's side, a job is shared whatever run the series names.
    const job = entitiesOf({ job_name: "finetune" }, DEFAULT_TOPOLOGY);
    expect(localityOf({ run_id: "r-data", job_name: "finetune" }, job, DEFAULT_TOPOLOGY).kind).toBe(
      "job",
    );
  });

  it("Alertmanager's alerts on another run of the same job are not siblings", () => {
    const config: AnalysisConfig = {
      spec: undefined,
      prometheus: { url: "http://127.0.0.1:9", headers: {} },
      alertmanager: undefined,
      links: { prometheus: "http://127.0.0.1:9" },
      queryTimeoutMs: 1000,
      maxConcurrency: 1,
      lookbackMs: 60_000,
      horizonMs: 15_000,
      defaultStepMs: 1000,
      cacheTtlMs: 0,
      followUpForMs: 0,
      topology: DEFAULT_TOPOLOGY,
      scoring: DEFAULT_SCORING,
      priors: DEFAULT_PRIORS,
    };
    const alert = (fingerprint: string, labels: Record<string, string>) => ({
      fingerprint,
      labels,
      annotations: {},
      startsAt: "2026-11-22T07:09:00.000Z",
    });
    const own = { alertname: "TrainingStalled", run_id: "r-stall", job_name: "demo-finetune" };
    const siblings = joinSiblings(
      [
        alert("a", {
          alertname: "TrainingLossNotFinite",
          run_id: "r-nan",
          job_name: "demo-finetune",
        }),
        alert("b", { alertname: "TrainingLossSlow", run_id: "r-stall", job_name: "demo-finetune" }),
        alert("c", { alertname: "JobQueueFull", job_name: "demo-finetune" }),
      ],
      {
        alert: {
          status: "firing",
          labels: own,
          annotations: {},
          startsAt: "2026-11-22T07:09:30.000Z",
          fingerprint: "own",
        },
        monitor: undefined,
        groupFingerprints: new Set(["own"]),
      },
      entitiesOf(own, DEFAULT_TOPOLOGY),
      config,
    );
    expect(siblings.map((s) => [s.alertName, s.match.kind])).toEqual([
      ["JobQueueFull", "job"],
      ["TrainingLossSlow", "run"],
    ]);
  });

  it("does not take a scrape target's instance for a node", () => {
    const central = { run_id: "r-1", instance: "ingest:9400" };
    const run = entitiesOf(central, DEFAULT_TOPOLOGY);
    expect(
      localityOf({ instance: "ingest:9400", uuid: "GPU-0", gpu: "0" }, run, DEFAULT_TOPOLOGY),
    ).toEqual({ locality: "cluster" });
  });
});

describe("robust statistics", () => {
  it("median and MAD, floored; z capped at 100", () => {
    const b = robustBaseline([1, 2, 3, 4, 100], { relative: 0, absolute: 0 });
    expect(b).toEqual({ median: 3, scale: 1.4826, count: 5 });
    expect(robustZ(1e9, b ?? { median: 0, scale: 1, count: 0 })).toBe(100);
    expect(robustBaseline([1, 1], { relative: 0, absolute: 0 })).toBeUndefined();
    expect(robustBaseline([2, 2, 2], { relative: 0.05, absolute: 0 })?.scale).toBeCloseTo(0.1, 10);
  });
});

describe("sparkline", () => {
  it("scales between min and max and averages into the width", () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe("▁▂▃▄▅▆▇█");
    expect(sparkline([5, 5, 5])).toBe("▁▁▁");
    expect(sparkline([0, 0, 10, 10], 2)).toBe("▁█");
  });

  it("marks non-finite values instead of averaging them away", () => {
    expect(sparkline([1, NaN, 2], 3)).toBe("▁×█");
    // -Inf is told from +Inf, in one character like every other value.
    expect(sparkline([1, Infinity, 2, -Infinity], 4)).toBe("▁∞█↓");
    expect(sparkline([1, 2, 3, -Infinity], 4)).toBe("▁▅█↓");
    expect(sparkline([-Infinity, Infinity, NaN, -Infinity, Infinity, 0], 3)).toBe("∞×∞");
    // A loss falling from 2 to 1.6, then NaN: the line ends in the mark, not in a low bar.
    const loss = [2, 1.9, 1.8, 1.7, 1.6, NaN, NaN, NaN];
    expect(sparkline(loss, 4)).toBe("█▁××");
    expect(sparkline([NaN, NaN])).toBe("××");
  });
});

describe("event series", () => {
  it("counters as increments (resets count their new value; a counter born in the window counts)", () => {
    const samples = [
      { t: 10_000, v: 1 },
      { t: 11_000, v: 1 },
      { t: 12_000, v: 3 },
      { t: 13_000, v: 1 },
    ];
    expect(eventValues(samples, "counter", 0, 1000).map((s) => s.v)).toEqual([1, 0, 2, 1]);
    expect(eventValues(samples, "counter", 10_000, 1000).map((s) => s.v)).toEqual([0, 2, 1]);
  });

  it("shows a NaN counter sample as NaN, not as a reset that counts the whole total", () => {
    const samples = [5, NaN, 7, 8].map((v, i) => ({ t: 10_000 + i * 1000, v }));
    expect(eventValues(samples, "counter", 10_000, 1000).map((s) => s.v)).toEqual([NaN, 2, 1]);
  });

  it("differences each counter before summing a group's: a replica's restart is not an increase", () => {
    const replica = (pod: string, values: number[]) => ({
      labels: { __name__: "aiwatch_data_rows_total", model: "m", pod },
      samples: values.map((v, i) => ({ t: 1_000_000 + i * 15_000, v })),
    });
    // Both replicas count 5 rows a step; b restarts after its third sample (520 → 0 → 5).
    const series = [replica("a", [500, 505, 510, 515, 520]), replica("b", [500, 505, 510, 0, 5])];
    const counter = { valueKind: "counter" as const, by: ["model"], aggregateInQuery: true };
    const [group, ...others] = signalSeries(counter, series, 1_000_000, 15_000);
    expect(others).toEqual([]);
    expect(group?.labels).toEqual({ model: "m" });
    // The reset step counts b's new value (0), as increase() does; summed first, it read 515.
    expect(group?.samples.map((s) => s.v)).toEqual([10, 10, 5, 10]);
    expect(
      signalSummary(
        { query: "q", labels: {}, samples: group?.samples ?? [], valueKind: "counter" },
        15_000,
      ),
    ).toBe("increase per 15s: 10 → 10 (max 10; 35 over the window)");
    // Groups stay apart; a level is read as it is.
    const other = { ...replica("c", [1, 2, 3, 4, 5]), labels: { model: "n", pod: "c" } };
    expect(signalSeries(counter, [...series, other], 1_000_000, 15_000)).toHaveLength(2);
    const gauge = { ...counter, valueKind: "gauge" as const };
    expect(signalSeries(gauge, series, 1_000_000, 15_000)).toEqual(series);
  });

  it("reads a counter's own group series by series, and links to the counters themselves", () => {
    const m = monitor("gpu-xid-errors");
    expect(signalQuery(m, groupMatchers(m, { instance: "i", gpu: "0", uuid: "GPU-1" }))).toBe(
      'aiwatch_gpu_xid_events_total{gpu="0", instance="i", uuid="GPU-1"}',
    );
  });

  it("event-code gauges: 1 where the code changed to non-zero; the codes themselves", () => {
    const samples = [0, 0, 79, 79, 0, 48].map((v, i) => ({ t: i * 1000, v }));
    expect(eventValues(samples, "event_code", 0, 1000).map((s) => s.v)).toEqual([0, 1, 0, 0, 1]);
    expect(codesChangedTo(samples, 0)).toEqual([48, 79]);
    expect(codesChangedTo(samples, 3000)).toEqual([48]);
  });
});

describe("alert states from ALERTS", () => {
  it("folds pending and firing series per alert; pending only is not firing", () => {
    const s = (state: string, run: string, t: number) => ({
      labels: { alertname: "X", alertstate: state, monitor: "m", run_id: run },
      samples: [{ t, v: 1 }],
    });
    expect(
      alertStates([s("pending", "a", 100), s("firing", "a", 300), s("pending", "b", 200)], 250),
    ).toEqual([
      { monitor: "m", labels: { monitor: "m", run_id: "a" }, activeSince: 100, firing: true },
      { monitor: "m", labels: { monitor: "m", run_id: "b" }, activeSince: 200, firing: false },
    ]);
  });
});

describe("priors", () => {
  it("XID codes and uncorrectable ECC weigh heavily; the highest matching rule wins", () => {
    const xid = monitor("gpu-xid-errors");
    expect(priorFor(xid, [], DEFAULT_PRIORS)).toEqual({ weight: 1 });
    expect(priorFor(xid, [13, 79], DEFAULT_PRIORS)).toEqual({
      weight: 3,
      reason: "XID 79: GPU has fallen off the bus",
    });
    expect(priorFor(xid, [31], DEFAULT_PRIORS).weight).toBe(0.8);
    const ecc = {
      ...xid,
      selector: {
        metric: "aiwatch_gpu_ecc_errors_total",
        matchers: [{ name: "error_type", op: "=" as const, value: "uncorrected" }],
      },
    };
    expect(priorFor(ecc, [], DEFAULT_PRIORS).weight).toBe(2.5);
    const corrected = {
      ...ecc,
      selector: {
        ...ecc.selector,
        matchers: [{ name: "error_type", op: "=" as const, value: "corrected" }],
      },
    };
    expect(priorFor(corrected, [], DEFAULT_PRIORS).weight).toBe(1);
  });
});

describe("links and generator URLs", () => {
  it("reads only the expression from a generator URL", () => {
    expect(
      expressionFromGeneratorUrl("http://evil.example/graph?g0.expr=up%20%3D%3D%200&g0.tab=1"),
    ).toBe("up == 0");
    expect(expressionFromGeneratorUrl("not a url")).toBeUndefined();
    expect(expressionFromGeneratorUrl(undefined)).toBeUndefined();
  });

  it("links Prometheus and Grafana to the exact window", () => {
    const prom = new URL(
      prometheusGraphUrl("https://prom.example/", "up", 1_700_000_000_000, 1_700_003_600_000),
    );
    expect(prom.pathname).toBe("/graph");
    expect(prom.searchParams.get("g0.expr")).toBe("up");
    expect(prom.searchParams.get("g0.range_input")).toBe("3600s");
    expect(prom.searchParams.get("g0.end_input")).toBe("2023-11-14 23:13:20");
    const grafana = new URL(
      grafanaExploreUrl(
        { url: "https://grafana.example", datasourceUid: "p1", orgId: 2 },
        "up",
        1000,
        2000,
      ),
    );
    expect(grafana.searchParams.get("orgId")).toBe("2");
    expect(JSON.parse(grafana.searchParams.get("panes") ?? "")).toEqual({
      a: {
        datasource: "p1",
        queries: [
          { refId: "A", expr: "up", range: true, datasource: { type: "prometheus", uid: "p1" } },
        ],
        range: { from: "1000", to: "2000" },
      },
    });
  });
});

describe("concurrency limit", () => {
  it("never runs more than its limit, hands slots over in order, and drops aborted waiters", async () => {
    const limit = new ConcurrencyLimit(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const releases: (() => void)[] = [];
    const task = (i: number) => () =>
      new Promise<void>((resolve) => {
        running++;
        peak = Math.max(peak, running);
        order.push(i);
        releases.push(() => {
          running--;
          resolve();
        });
      });
    const signal = new AbortController().signal;
    const aborted = new AbortController();
    const all = [0, 1, 2, 3].map((i) => limit.run(task(i), i === 2 ? aborted.signal : signal));
    aborted.abort();
    await expect(all[2]).rejects.toThrow();
    while (releases.length > 0 || order.length < 3) {
      await new Promise((r) => setTimeout(r, 1));
      releases.shift()?.();
    }
    await Promise.all([all[0], all[1], all[3]]);
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 3]);
  });
});
