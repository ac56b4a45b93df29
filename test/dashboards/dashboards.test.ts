import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli/main.js";
import { buildDashboards } from "../../dashboards/build-dashboards.js";
import { parsePromql } from "../../core/promql/parse-promql.js";
import { repoPath } from "../support/fixtures.js";
import { dashboardQueries, substituteVariables } from "../support/dashboard-queries.js";
import { expectGolden } from "../support/golden.js";
import { makeTempDir } from "../support/temp-dir.js";
import { compileRepoSpec } from "../rulegen/compile-case.js";
import * as GRAFANA_UNITS from "@grafana/grafana-foundation-sdk/units";

const OPTIONS = {
  prometheusUrl: "http://prometheus:9090",
  dashboardsPath: "/var/lib/grafana/dashboards/aiwatch",
};
const source = {
  file: "examples/aiwatch.yaml",
  text: readFileSync(repoPath("examples/aiwatch.yaml"), "utf8"),
  displayName: "../../examples/aiwatch.yaml",
};
const built = buildDashboards([source], OPTIONS);

interface Target {
  expr: string;
}
interface Panel {
  title: string;
  type: string;
  targets?: Target[];
  links?: { title: string; url: string }[];
  fieldConfig?: { defaults?: { unit?: string } };
}
interface Dashboard {
  uid: string;
  tags: string[];
  links?: { type: string; tags: string[] }[];
  panels: Panel[];
  annotations: { list: { expr?: string }[] };
  templating: { list: { name: string; query?: string | { query: string } }[] };
}

const dashboards = built.files
  .filter((f) => f.name.endsWith(".json"))
  .map((f) => JSON.parse(f.content) as Dashboard);
const allExprs = dashboardQueries(built.files);

/** The dashboards of a spec in the repository. */
function boardsOf(spec: string): Dashboard[] {
  return buildDashboards(
    [{ file: spec, text: readFileSync(repoPath(spec), "utf8"), displayName: spec }],
    OPTIONS,
  )
    .files.filter((f) => f.name.endsWith(".json"))
    .map((f) => JSON.parse(f.content) as Dashboard);
}

function queryOf(variable: { query?: string | { query: string } }): string | undefined {
  return typeof variable.query === "object" ? variable.query.query : variable.query;
}

const temp = makeTempDir("dashboards");
afterAll(() => temp.remove());

describe("generated dashboards", () => {
  it("builds five dashboards and the provisioning files", () => {
    expect(built.diagnostics).toEqual([]);
    expect(built.files.map((f) => f.name)).toEqual([
      "dashboards/aiwatch-aiwatch-overview.json",
      "dashboards/aiwatch-aiwatch-training.json",
      "dashboards/aiwatch-aiwatch-inference.json",
      "dashboards/aiwatch-aiwatch-data.json",
      "dashboards/aiwatch-aiwatch-gpu.json",
      "provisioning/dashboards/aiwatch.yaml",
      "provisioning/datasources/aiwatch.yaml",
    ]);
    for (const file of built.files)
      expectGolden(repoPath("test/dashboards/golden", file.name), file.content);
  });

  it("writes only queries that parse as PromQL once Grafana's variables are filled in", () => {
    expect(allExprs.length).toBeGreaterThan(50);
    const broken = allExprs
      .map(({ where, expr }) => ({
        where,
        expr,
        problems: parsePromql(substituteVariables(expr)).problems,
      }))
      .filter((q) => q.problems.length > 0);
    expect(broken).toEqual([]);
  });

  it("puts every monitor of the spec on a panel of its own", () => {
    const model = compileRepoSpec("examples/aiwatch.yaml").specs[0]?.model;
    const titles = dashboards.flatMap((d) => d.panels.map((p) => p.title));
    for (const monitor of model?.monitors ?? [])
      expect(titles).toContain(`${monitor.alertName} (${monitor.detector.type})`);
  });

  it("draws every detector's view from recorded series its generated rules write", () => {
    const specs = [
      "examples/aiwatch.yaml",
      ...readdirSync(repoPath("test/rulegen/cases/valid")).map(
        (f) => `test/rulegen/cases/valid/${f}`,
      ),
    ];
    let checked = 0;
    for (const spec of specs) {
      const compiled = compileRepoSpec(spec);
      expect(
        compiled.diagnostics.filter((d) => d.severity === "error"),
        spec,
      ).toEqual([]);
      const rules =
        compiled.specs[0]?.files.find((f) => f.name.endsWith(".rules.yml"))?.content ?? "";
      const recorded = new Set([...rules.matchAll(/record: (\S+)/g)].map((m) => m[1]));
      const board = buildDashboards(
        [{ file: spec, text: readFileSync(repoPath(spec), "utf8"), displayName: spec }],
        OPTIONS,
      );
      for (const file of board.files.filter((f) => f.name.endsWith(".json"))) {
        const dashboard = JSON.parse(file.content) as Dashboard;
        for (const panel of dashboard.panels) {
          for (const target of panel.targets ?? []) {
            expect(
              parsePromql(substituteVariables(target.expr)).problems,
              `${spec}: ${panel.title}: ${target.expr}`,
            ).toEqual([]);
            for (const match of target.expr.matchAll(/\b([a-z_]+:[a-z0-9_]+:[a-z0-9_]+)\{/g)) {
              expect(recorded, `${spec}: ${panel.title} reads ${match[1] ?? ""}`).toContain(
                match[1],
              );
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(30);
  });

  it("draws a band, forecast or threshold beside the signal for detectors that have one", () => {
    const training = dashboards.find((d) => d.uid.endsWith("-training"));
    const spike = training?.panels.find((p) => p.title === "TrainingLossSpike (zscore)");
    expect(spike?.targets?.map((t) => t.expr.split("(")[0])).toEqual([
      "avg by ",
      "last_over_time",
      "last_over_time",
    ]);
    const gpu = dashboards.find((d) => d.uid.endsWith("-gpu"));
    const forecast = gpu?.panels.find((p) => p.title === "GpuMemoryExhaustion (forecast)");
    expect(forecast?.targets?.[1]?.expr).toMatch(/^predict_linear\(/);
  });

  it("draws what a counter's detector compares, not the counter's lifetime total", () => {
    const inference = dashboards.find((d) => d.uid.endsWith("-inference"));
    const panel = (start: string) => inference?.panels.find((p) => p.title.startsWith(start));
    // A ratio of two counters: the ratio over its window, in percent.
    const accuracy = panel("PredictionAccuracyDrop");
    expect(accuracy?.fieldConfig?.defaults?.unit).toBe("percentunit");
    expect(accuracy?.targets?.map((t) => t.expr)).toEqual([
      expect.stringMatching(/:numerator_increase1h\{.*\} \/ .*:total_increase1h\{/),
    ]);
    // A latency SLO: burn rates, plain factors (its buckets' `_seconds` is not their unit).
    const slo = panel("InferenceLatencySlo");
    expect(slo?.fieldConfig?.defaults?.unit).toBe("short");
    for (const target of slo?.targets ?? []) expect(target.expr).not.toMatch(/^avg by/);
    expect(slo?.targets?.length).toBeGreaterThan(0);
  });

  it("gives every panel that draws numbers a unit Grafana knows", () => {
    const known = new Set<string>(Object.values(GRAFANA_UNITS).map(String));
    const specs = [
      "examples/aiwatch.yaml",
      ...readdirSync(repoPath("test/rulegen/cases/valid")).map(
        (f) => `test/rulegen/cases/valid/${f}`,
      ),
    ];
    let panels = 0;
    for (const spec of specs) {
      for (const board of boardsOf(spec)) {
        for (const panel of board.panels.filter((p) => p.type !== "row" && p.type !== "text")) {
          const unit = panel.fieldConfig?.defaults?.unit ?? "";
          expect(
            known.has(unit) || unit.startsWith("suffix:"),
            `${spec}: ${board.uid} / ${panel.title}: ${unit || "no unit"}`,
          ).toBe(true);
          panels++;
        }
      }
    }
    expect(panels).toBeGreaterThan(150);
    // Monitors read their unit off their metric's name: a latency in seconds, a loss plain.
    const inference = dashboards.find((d) => d.uid.endsWith("-inference"));
    const latency = inference?.panels.find((p) => p.title.startsWith("InferenceLatencyP99"));
    expect(latency?.fieldConfig?.defaults?.unit).toBe("s");
  });

  it("draws a monitor's signal in the unit its spec declares, over its metric names' suffix", () => {
    const spec = [
      "version: aiwatch/v1",
      "defaults: { runbook_base_url: https://runbooks.example.com }",
      "self_monitoring: false",
      "monitors:",
      "  - name: inference-error-ratio-high",
      "    layer: model",
      "    signal: sum(rate(aiwatch_inference_errors_total[5m])) / sum(rate(aiwatch_inference_requests_total[5m]))",
      "    unit: ratio",
      "    detector: { type: threshold, above: 0.05 }",
      "",
    ].join("\n");
    const result = buildDashboards(
      [{ file: "units.yaml", text: spec, displayName: "units.yaml" }],
      OPTIONS,
    );
    expect(result.diagnostics).toEqual([]);
    const panels = result.files
      .filter((f) => f.name.endsWith(".json"))
      .flatMap((f) => (JSON.parse(f.content) as Dashboard).panels);
    const panel = panels.find((p) => p.title.startsWith("InferenceErrorRatioHigh"));
    expect(panel?.fieldConfig?.defaults?.unit).toBe("percentunit");
  });

  it("reads dcgm-exporter's names on a spec whose GPU monitors read them", () => {
    const board = boardsOf("test/rulegen/cases/valid/presets-dcgm.yaml").find((d) =>
      d.uid.endsWith("-gpu"),
    );
    const exprs = (board?.panels ?? []).flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(10);
    expect(exprs.filter((e) => /aiwatch_gpu_/.test(e))).toEqual([]);
    // The rest read the series the spec's rules record from DCGM_FI_* signals.
    expect(exprs.filter((e) => /DCGM_FI_/.test(e)).length).toBeGreaterThan(15);
    const variables = (board?.templating.list ?? []).filter((v) => v.name !== "datasource");
    expect(variables.map((v) => [v.name, queryOf(v)])).toEqual([
      ["node", "label_values(DCGM_FI_DEV_GPU_TEMP, Hostname)"],
      ["gpu", 'label_values(DCGM_FI_DEV_GPU_TEMP{Hostname=~"$node"}, UUID)'],
    ]);
    // The monitors' panels filter by the same variables, on dcgm-exporter's labels.
    const xid = board?.panels.find((p) => p.title === "GpuXidErrors (increase)");
    expect(xid?.targets?.[0]?.expr).toContain('Hostname=~"$node", UUID=~"$gpu"');
  });

  it("makes dashboards only for the domains the spec has monitors in", () => {
    expect(boardsOf("test/rulegen/cases/valid/spike.yaml").map((d) => d.uid)).toEqual([
      "aiwatch-spike-overview",
      "aiwatch-spike-training",
    ]);
    expect(boardsOf("test/rulegen/cases/valid/slo-burn-rate.yaml").map((d) => d.uid)).toEqual([
      "aiwatch-slo-burn-rate-overview",
      "aiwatch-slo-burn-rate-inference",
    ]);
  });

  it("links the spec's dashboards to each other and each monitor's panel to its alert", () => {
    const model = compileRepoSpec("examples/aiwatch.yaml").specs[0]?.model;
    for (const dashboard of dashboards) {
      expect(dashboard.tags).toContain("aiwatch-aiwatch");
      expect(dashboard.links).toEqual([
        expect.objectContaining({ type: "dashboards", tags: ["aiwatch-aiwatch"] }),
      ]);
    }
    const panels = dashboards.flatMap((d) => d.panels);
    for (const monitor of model?.monitors ?? []) {
      const panel = panels.find(
        (p) => p.title === `${monitor.alertName} (${monitor.detector.type})`,
      );
      expect(panel?.links).toEqual([
        {
          ...panel?.links?.[0],
          title: `Alert rule ${monitor.alertName}`,
          url: `/alerting/list?search=rule%3A${monitor.alertName}`,
        },
        { ...panel?.links?.[1], title: "Runbook", url: monitor.runbookUrl },
      ]);
    }
  });

  it("provisions its data source without making it Grafana's default", () => {
    const datasources = built.files.find((f) => f.name.endsWith("datasources/aiwatch.yaml"));
    expect(datasources?.content).toContain("isDefault: false");
    expect(datasources?.content).not.toContain("isDefault: true");
  });

  it("gives every dashboard a unique uid Grafana accepts", () => {
    const uids = dashboards.map((d) => d.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const uid of uids) expect(uid.length).toBeLessThanOrEqual(40);
  });

  it("is deterministic", () => {
    expect(buildDashboards([source], OPTIONS).files).toEqual(built.files);
  });

  it("check mode passes on fresh output and fails with a diff after an edit", async () => {
    const io = (out: string[], err: string[]) => ({
      stdout: (t: string) => out.push(t),
      stderr: (t: string) => err.push(t),
      cwd: repoPath(),
      env: process.env,
    });
    const out: string[] = [];
    const err: string[] = [];
    expect(
      await runCli(
        ["dashboards", "build", "examples/aiwatch.yaml", "--out", temp.path],
        io(out, err),
      ),
    ).toBe(0);
    expect(
      await runCli(
        ["dashboards", "check", "examples/aiwatch.yaml", "--out", temp.path],
        io(out, err),
      ),
    ).toBe(0);
    const path = join(temp.path, "dashboards/aiwatch-aiwatch-gpu.json");
    const original = readFileSync(path, "utf8");
    const edited = original.replace("/ GPUs", "/ My GPUs");
    expect(edited).not.toBe(original);
    writeFileSync(path, edited);
    expect(
      await runCli(
        ["dashboards", "check", "examples/aiwatch.yaml", "--out", temp.path],
        io(out, err),
      ),
    ).toBe(1);
    expect(err.join("")).toContain("1 generated file is out of date");
  });
});
