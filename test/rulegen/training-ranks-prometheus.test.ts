import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProcess } from "../../core/run-process.js";
import type { RunningExporter } from "../../exporters/process/run-exporter.js";
import { compileSpecs } from "../../rulegen/compile.js";
import {
  AUTH_CONFIG,
  postJson,
  startTestExporter,
} from "../exporters/training/exporter-harness.js";
import { requireBinaries } from "../support/binaries.js";
import { startPrometheus } from "../support/prometheus-process.js";
import type { PrometheusInstance } from "../support/prometheus-process.js";
import { makeTempDir } from "../support/temp-dir.js";
import { waitFor } from "../support/wait-for.js";

/**
 * Several ranks of one run, each reporting its own series (`rank`), through the real
 * exporter, a real Prometheus 2.42 evaluating the compiled training presets, and
 * promtool: a spike on rank 1 fires with rank="1" only, a rank that finished is not
 * "stalled" because another rank of its run still runs, and no rule errors (a join on
 * run_id and job_name alone would match several ranks).
 */
const SPEC = `
version: aiwatch/v1
name: ranks
defaults: { scrape_interval: 1s, evaluation_interval: 1s, runbook_base_url: https://runbooks.example.com }
monitors:
  - preset: training-loss-spike
  - preset: training-grad-norm-spike
  - preset: training-loss-not-finite
  - preset: training-loss-diverging
  - preset: training-stalled
  - preset: training-throughput-drop
  - preset: training-eval-regression
  - preset: eval-metric-regression
  - preset: learning-rate-changed
self_monitoring: false
`;

interface ApiAlert {
  labels: Record<string, string>;
  state: "pending" | "firing";
}
interface RuleGroup {
  name: string;
  interval: number;
  rules: { name: string; health: string; lastError?: string }[];
}

const { available, paths } = requireBinaries("prometheus", "promtool");
const temp = makeTempDir("training-ranks");
let exporter: RunningExporter;
let prometheus: PrometheusInstance;
let rulesFile = "";

/** 40 logged steps of a loss around 3.3; `spikeAt` logs 4.6 instead. */
function steps(
  ids: { run_id: string; rank?: number },
  spikeAt: number | undefined,
  startSeconds: number,
): object[] {
  return Array.from({ length: 40 }, (_, step) => ({
    ...ids,
    job_name: "llama-ft",
    step,
    timestamp: startSeconds + step,
    metrics: {
      loss: step === spikeAt ? 4.6 : 3.3 + (step % 3) * 0.02,
      grad_norm: 1 + (step % 2) * 0.1,
      learning_rate: 1e-4,
      eval_accuracy: 0.8,
      samples_per_second: 100,
    },
  }));
}

/** An alert's fixed labels and annotation templates, as the compiled rule file has them. */
function ruleOf(alert: string): {
  labels: Record<string, string>;
  annotations: Record<string, string>;
} {
  const file = parseYaml(readFileSync(rulesFile, "utf8")) as {
    groups: {
      rules: {
        alert?: string;
        labels: Record<string, string>;
        annotations: Record<string, string>;
      }[];
    }[];
  };
  const rule = file.groups.flatMap((g) => g.rules).find((r) => r.alert === alert);
  if (!rule) throw new Error(`no alert ${alert} in ${rulesFile}`);
  return { labels: rule.labels, annotations: rule.annotations };
}

const firing = async (name: string): Promise<ApiAlert[]> =>
  (await prometheus.api<{ alerts: ApiAlert[] }>("alerts")).alerts.filter(
    (a) => a.labels["alertname"] === name && a.state === "firing",
  );

describe.skipIf(!available)("training presets with several ranks of one run", () => {
  beforeAll(async () => {
    const result = compileSpecs([{ file: "ranks.yaml", text: SPEC, displayName: "ranks.yaml" }]);
    expect(result.diagnostics).toEqual([]);
    const rules = result.specs[0]?.files.find((f) => f.name.endsWith(".rules.yml"));
    rulesFile = join(temp.path, "ranks.rules.yml");
    writeFileSync(rulesFile, rules?.content ?? "");
    exporter = await startTestExporter(temp.path, `${AUTH_CONFIG}collectors:\n  training: {}\n`);
    const now = Math.floor(Date.now() / 1000);
    const events = `${exporter.url}/api/v1/training/events`;
    const batches = [
      // r-spike: two ranks logging now; rank 1's loss spikes at step 30.
      [...steps({ run_id: "r-spike", rank: 0 }, undefined, now - 40)],
      [...steps({ run_id: "r-spike", rank: 1 }, 30, now - 40)],
      // A single-process run beside them: no rank label at all.
      [...steps({ run_id: "solo" }, undefined, now - 40)],
      // r-stall: both ranks logged an hour ago; rank 1 then finished, rank 0 went silent.
      [...steps({ run_id: "r-stall", rank: 0 }, undefined, now - 3600)],
      [
        ...steps({ run_id: "r-stall", rank: 1 }, undefined, now - 3600),
        { run_id: "r-stall", job_name: "llama-ft", rank: 1, status: "finished" },
      ],
    ];
    for (const batch of batches) expect((await postJson(events, batch)).status).toBe(200);
    prometheus = await startPrometheus({
      binary: paths.prometheus,
      dir: temp.path,
      config: [
        "global: { scrape_interval: 1s, evaluation_interval: 1s }",
        `rule_files: [${JSON.stringify(rulesFile)}]`,
        "scrape_configs:",
        `  - { job_name: aiwatch, static_configs: [{ targets: ["${new URL(exporter.url).host}"] }] }`,
        "",
      ].join("\n"),
    });
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.stop();
    temp.remove();
  });

  it("passes promtool check rules", async () => {
    const check = await runProcess(paths.promtool, ["check", "rules", rulesFile], {
      cwd: temp.path,
    });
    expect(check.exitCode, check.stdout + check.stderr).toBe(0);
  });

  it("passes promtool test rules: rank 1's spike and rank 0's stall page for their rank alone", async () => {
    const ids = (rank?: string) =>
      `run_id="r-1", job_name="llama-ft"${rank === undefined ? "" : `, rank="${rank}"`}`;
    const outliers = (rank?: string) =>
      `aiwatch_training_outlier_steps_total{metric="loss", direction="up", ${ids(rank)}}`;
    const expected = (alert: string, rank: string, value: string) => {
      const rule = ruleOf(alert);
      return {
        exp_labels: { ...rule.labels, job_name: "llama-ft", rank, run_id: "r-1" },
        exp_annotations: Object.fromEntries(
          Object.entries(rule.annotations).map(([name, text]) => [
            name,
            text
              .replaceAll("{{ $labels.run_id }}", "r-1")
              .replaceAll("{{ $labels.job_name }}", "llama-ft")
              .replaceAll('{{ printf "%.0f" $value }}', value)
              .replaceAll("{{ $value }}", value),
          ]),
        ),
      };
    };
    const tests = {
      rule_files: [rulesFile],
      evaluation_interval: "1s",
      tests: [
        {
          name: "a spike on rank 1 pages for rank 1",
          interval: "1s",
          input_series: [
            { series: outliers("0"), values: "0x30" },
            { series: outliers("1"), values: "0x10 1x20" },
            { series: outliers(), values: "0x30" },
          ],
          alert_rule_test: [
            {
              eval_time: "15s",
              alertname: "TrainingLossSpike",
              exp_alerts: [expected("TrainingLossSpike", "1", "1")],
            },
          ],
        },
        {
          // Silent since time 0: at 30m that is 1800s / 120s = 15 log intervals.
          name: "a silent rank pages while its finished sibling does not",
          interval: "1m",
          input_series: [
            ...["0", "1"].map((rank) => ({
              series: `aiwatch_training_last_update_timestamp_seconds{${ids(rank)}}`,
              values: "0x40",
            })),
            {
              series: `aiwatch_training_run_status{status="running", ${ids("0")}}`,
              values: "1x40",
            },
            {
              series: `aiwatch_training_run_status{status="running", ${ids("1")}}`,
              values: "0x40",
            },
            {
              series: `aiwatch_training_run_status{status="finished", ${ids("1")}}`,
              values: "1x40",
            },
          ],
          alert_rule_test: [
            {
              eval_time: "30m",
              alertname: "TrainingStalled",
              exp_alerts: [expected("TrainingStalled", "0", "15")],
            },
          ],
        },
      ],
    };
    const testFile = join(temp.path, "ranks.test.yml");
    writeFileSync(testFile, stringifyYaml(tests));
    const run = await runProcess(paths.promtool, ["test", "rules", testFile], { cwd: temp.path });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
  }, 120_000);

  it('fires the loss spike of rank 1 with rank="1", and nothing for rank 0 or the single run', async () => {
    const alerts = await waitFor("TrainingLossSpike to fire", async () => {
      const found = await firing("TrainingLossSpike");
      return found.length > 0 ? found : undefined;
    });
    expect(alerts.map((a) => a.labels)).toEqual([
      {
        alertname: "TrainingLossSpike",
        job_name: "llama-ft",
        layer: "model",
        monitor: "training-loss-spike",
        rank: "1",
        run_id: "r-spike",
        severity: "warning",
      },
    ]);
  });

  it("pages the silent rank of a run, not its finished rank nor the runs still logging", async () => {
    const alerts = await waitFor("TrainingStalled to fire", async () => {
      const found = await firing("TrainingStalled");
      return found.length > 0 ? found : undefined;
    });
    expect(alerts.map((a) => [a.labels["run_id"], a.labels["rank"]])).toEqual([["r-stall", "0"]]);
  });

  it("evaluates every rule without an error (no many-to-many match)", async () => {
    // Baseline groups run every 5m or 1h: the 1s groups (every alert) must have run.
    const { groups } = await waitFor("every 1s rule group evaluated", async () => {
      const data = await prometheus.api<{ groups: RuleGroup[] }>("rules");
      const everySecond = data.groups.filter((g) => g.interval <= 1).flatMap((g) => g.rules);
      return everySecond.length > 0 && everySecond.every((r) => r.health !== "unknown")
        ? data
        : undefined;
    });
    const unhealthy = groups
      .flatMap((g) => g.rules)
      .filter((r) => r.health === "err")
      .map((r) => `${r.name}: ${r.lastError ?? ""}`);
    expect(unhealthy).toEqual([]);
    // The recorded loss-spike series are per rank: one for each rank and one for the solo run.
    const recorded = await prometheus.api<{ result: { metric: Record<string, string> }[] }>(
      `query?query=${encodeURIComponent('run_id_job_name_rank:training_loss_spike:sum{run_id=~"r-spike|solo"}')}`,
    );
    expect(
      recorded.result.map((r) => `${r.metric["run_id"]}/${r.metric["rank"] ?? ""}`).sort(),
    ).toEqual(["r-spike/0", "r-spike/1", "solo/"]);
  });
});
