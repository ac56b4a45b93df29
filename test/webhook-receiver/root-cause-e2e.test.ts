import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSpecs } from "../../rulegen/compile.js";
import type { Notification } from "../../webhook-receiver/payload/notification.js";
import { startAlertmanager } from "../support/alertmanager-process.js";
import type { AlertmanagerInstance } from "../support/alertmanager-process.js";
import { requireBinaries } from "../support/binaries.js";
import { freePort } from "../support/free-port.js";
import { startPrometheus } from "../support/prometheus-process.js";
import type { PrometheusInstance } from "../support/prometheus-process.js";
import { makeTempDir } from "../support/temp-dir.js";
import type { TempDir } from "../support/temp-dir.js";
import { SCENARIO_SPEC, startScenarioFleet } from "../support/training-scenario.js";
import type { ScenarioFleet, ScenarioRun } from "../support/training-scenario.js";
import { waitFor } from "../support/wait-for.js";
import { startActionEndpoint } from "./platforms/action-endpoint.js";
import type { ActionEndpoint } from "./platforms/action-endpoint.js";
import type { AcceptedMessage } from "./platforms/stand-in-server.js";
import { configHead, startHarness, TOKEN } from "./receiver-harness.js";
import type { Harness } from "./receiver-harness.js";
import { CHAT_TYPES, chatDestinationsYaml, standInEnv, startAllStandIns } from "./stand-ins.js";

/**
 * Root-cause analysis end to end: a real Prometheus 2.42 evaluates the compiled spec over
 * four training runs on four nodes, a real Alertmanager 0.25 groups the alerts per run and
 * posts them to the receiver, which gathers evidence from both and delivers to every chat
 * platform's stand-in. Each run's loss spikes after a different cause:
 *   (a) its model's `age` feature drifts        → data
 *   (b) its node's GPU logs XID 79              → environment
 *   (c) its learning rate jumps tenfold         → model
 *   (d) nothing related                         → unknown
 *   (e) its dataset's drift, linked by nothing but the `dataset` label the spec declares
 *       (`related: [{monitor: feature-drift, on: [model, dataset]}]`) → data
 *   (f) nothing links it to any model's data; a and e drift just before → unknown (timing
 *       alone is no reason)
 * Intervals are one second and windows short, as in test/rulegen/prometheus-alerts.test.ts.
 */
const binaries = requireBinaries("prometheus", "alertmanager");
const ACTION_TOKEN = "ops-api-token-5151";

interface EnrichmentData {
  enriched: boolean;
  verdict: string;
  confidence: number;
  evidence: {
    monitor: string;
    layer: string;
    labels: Record<string, string>;
    score: number;
    links: { label: string; url: string }[];
    priorReason: string | null;
    leadSeconds: number | null;
    firing: boolean;
    sharedEntity: { kind: string; label: string; value: string } | null;
  }[];
  unlinked: string[];
  signal: { query: string; links: { label: string; url: string }[] } | null;
  actions: { action: string; result: string; mode: string }[];
  window: { start: string; end: string };
  ownCause: { monitor: string; priorReason: string | null } | null;
}

/**
 * The alert a message lists first (`FIRING TrainingLossSpike [critical] ...`, with each
 * platform's markup around FIRING): its group's. Evidence and titles never read that way
 * ("its alert is firing", "[FIRING:1] ...").
 */
function firstListedAlert(text: string): string | undefined {
  return /FIRING\W+(TrainingLoss(?:Spike|AboveTwo))\b/.exec(text)?.[1];
}

describe.skipIf(!binaries.available)(
  "root-cause evidence with a real Prometheus and Alertmanager",
  () => {
    let dir: TempDir;
    let fleet: ScenarioFleet;
    let prometheus: PrometheusInstance;
    let alertmanager: AlertmanagerInstance;
    let standIns: Awaited<ReturnType<typeof startAllStandIns>>;
    let actions: ActionEndpoint;
    let harness: Harness;
    const run = (name: string): ScenarioRun => {
      const found = fleet.runs.find((r) => r.runId === `r-${name}`);
      if (!found) throw new Error(`no run ${name}`);
      return found;
    };

    beforeAll(async () => {
      dir = makeTempDir("rca-e2e");
      writeFileSync(join(dir.path, "aiwatch.yaml"), SCENARIO_SPEC);
      const compiled = compileSpecs([
        { file: "aiwatch.yaml", text: SCENARIO_SPEC, displayName: "aiwatch.yaml" },
      ]);
      expect(compiled.diagnostics).toEqual([]);
      const rules = compiled.specs[0]?.files.find((f) => f.name.endsWith(".rules.yml"));
      writeFileSync(join(dir.path, "rca.rules.yml"), rules?.content ?? "");
      // An alert aiwatch did not generate: analysed through its generator URL and siblings.
      writeFileSync(
        join(dir.path, "handwritten.rules.yml"),
        `groups:
  - name: handwritten
    rules:
      - alert: TrainingLossAboveTwo
        expr: aiwatch_training_loss{phase="train"} > 2
        labels: { severity: warning }
`,
      );
      fleet = await startScenarioFleet(["a", "b", "c", "d", "e", "f"], {
        e: "dataset",
        f: "none",
      });
      const amPort = await freePort();
      prometheus = await startPrometheus({
        binary: binaries.paths.prometheus,
        dir: dir.path,
        config: [
          "global: { scrape_interval: 1s, evaluation_interval: 1s }",
          `rule_files: [${JSON.stringify(join(dir.path, "rca.rules.yml"))}, ${JSON.stringify(join(dir.path, "handwritten.rules.yml"))}]`,
          `alerting: { alertmanagers: [{ static_configs: [{ targets: ["127.0.0.1:${amPort}"] }] }] }`,
          fleet.scrapeConfigs(),
          "",
        ].join("\n"),
      });
      standIns = await startAllStandIns();
      actions = await startActionEndpoint(ACTION_TOKEN);
      const yaml = `${configHead(dir.path)}enrichment:
  timeout: 10s
  spec: aiwatch.yaml
  prometheus: { url: ${prometheus.url}, external_url: "https://prometheus.example.com" }
  alertmanager: { url: "http://127.0.0.1:${amPort}" }
  grafana: { url: "https://grafana.example.com", datasource_uid: prom-main }
  query_timeout: 5s
  lookback: 60s
  horizon: 15s
  # One exporter per node (the scenario's targets): its instance names the node.
  topology: { node: [node, Hostname, hostname, instance] }
actions:
  mode: live
${chatDestinationsYaml(", rate_limit: { per_minute: 600, burst: 20 }")}default_route:
  destinations: [${CHAT_TYPES.join(", ")}]
  actions:
    - name: pause-training
      when: { verdict: [data], matchers: ['alertname="TrainingLossSpike"'] }
      url: ${actions.url}/runs/pause
      headers: { Authorization: { env: ACTION_AUTH } }
      body: '{"run": {{json labels.run_id}}, "verdict": {{json verdict}} }'
    - name: cordon-node
      when: { verdict: [environment] }
      url: ${actions.url}/nodes/cordon
      headers: { Authorization: { env: ACTION_AUTH } }
      dry_run: true
`;
      harness = await startHarness(dir.path, yaml, {
        env: { ...standInEnv(standIns), ACTION_AUTH: `Bearer ${ACTION_TOKEN}` },
      });
      alertmanager = await startAlertmanager({
        binary: binaries.paths.alertmanager,
        dir: join(dir.path, "am"),
        port: amPort,
        config: `route:
  receiver: aiwatch
  group_by: [alertname, run_id]
  group_wait: 1s
  group_interval: 5m
  repeat_interval: 4h
receivers:
  - name: aiwatch
    webhook_configs:
      - url: ${harness.receiver.url}/api/v1/alerts
        send_resolved: false
        http_config: { authorization: { type: Bearer, credentials: ${TOKEN} } }
`,
      });
    });

    afterAll(async () => {
      // Prometheus first: stopped the other way round, it would keep sending its alerts to
      // a port that another test file's Alertmanager may be given next.
      await prometheus?.stop();
      await alertmanager?.stop();
      await harness?.receiver.stop();
      await fleet?.close();
      await standIns?.close();
      await actions?.close();
      dir?.remove();
    });

    it("names data, environment, model and unknown with the right evidence first, on every platform", async () => {
      // The loss baseline fills first (the zscore warm-up gate); the candidates' history too.
      await waitFor(
        "the loss baselines of all four runs",
        async () => {
          const data = await prometheus.api<{ result: unknown[] }>(
            `query?query=${encodeURIComponent('run_id_job_name:aiwatch_training_loss:avg20s{monitor="training-loss-spike"}')}`,
          );
          return data.result.length === 6 ? true : undefined;
        },
        { timeoutMs: 120_000, pollMs: 500 },
      );
      run("a").drift = 0.45;
      run("e").drift = 0.45;
      run("b").xidEvents = 1;
      run("b").xidCodes = [79];
      run("c").learningRate = 0.001;
      const scraped = fleet.data.scrapes();
      await waitFor(
        "the causes to be scraped for a while",
        () => (fleet.data.scrapes() >= scraped + 6 ? true : undefined),
        { timeoutMs: 30_000 },
      );
      for (const r of fleet.runs) r.loss = 3;

      const lossMessage = (runId: string) =>
        standIns.webhook.accepted.find((m) =>
          notificationsOf(m).some((n) =>
            n.notification.alerts.some(
              (a) => a.labels["alertname"] === "TrainingLossSpike" && a.labels["run_id"] === runId,
            ),
          ),
        );
      await waitFor(
        "a TrainingLossSpike message for each run",
        () =>
          ["r-a", "r-b", "r-c", "r-d", "r-e", "r-f"].every((id) => lossMessage(id))
            ? true
            : undefined,
        { timeoutMs: 90_000, pollMs: 250 },
      ).catch(async (error: unknown) => {
        const alerts = await prometheus.api<{
          alerts: { labels: Record<string, string>; state: string }[];
        }>("alerts");
        throw new Error(
          `${String(error)}\nprometheus alerts: ${JSON.stringify(alerts.alerts.map((a) => [a.labels["alertname"], a.labels["run_id"], a.state]))}\nam: ${JSON.stringify((await alertmanager.alerts()).map((a) => a.labels["alertname"]))}\nwebhook: ${standIns.webhook.accepted.length} accepted, ${standIns.webhook.rejected.length} rejected\nlogs:\n${harness.logs.slice(-30).join("")}`,
        );
      });

      const expected = [
        {
          runId: "r-a",
          verdict: "data",
          monitor: "feature-drift",
          labels: { model: "m-a", feature: "age" },
        },
        {
          runId: "r-b",
          verdict: "environment",
          monitor: "gpu-xid-errors",
          labels: { uuid: run("b").uuid },
        },
        {
          runId: "r-c",
          verdict: "model",
          monitor: "learning-rate-changed",
          labels: { run_id: "r-c" },
        },
        { runId: "r-d", verdict: "unknown", monitor: undefined, labels: {} },
        {
          runId: "r-e",
          verdict: "data",
          monitor: "feature-drift",
          labels: { model: "m-e", feature: "age" },
        },
        { runId: "r-f", verdict: "unknown", monitor: undefined, labels: {} },
      ];
      for (const e of expected) {
        const message = lossMessage(e.runId);
        const data = notificationsOf(message).find((n) => n.enrichment)?.enrichment?.data;
        expect(data, e.runId).toBeDefined();
        if (!data) continue;
        expect(data.enriched, e.runId).toBe(true);
        expect(data.verdict, `${e.runId}: ${JSON.stringify(data.evidence.slice(0, 3))}`).toBe(
          e.verdict,
        );
        const top = data.evidence[0];
        if (e.monitor) {
          expect(top?.monitor, e.runId).toBe(e.monitor);
          expect(top?.labels, e.runId).toMatchObject(e.labels);
          expect(top?.leadSeconds ?? -1, e.runId).toBeGreaterThan(0);
          expect(data.confidence, e.runId).toBeGreaterThanOrEqual(0.3);
          // Links go to the configured Prometheus and Grafana, over the evidence window.
          const prom = new URL(top?.links.find((l) => l.label === "Prometheus")?.url ?? "");
          expect(prom.origin).toBe("https://prometheus.example.com");
          expect(prom.searchParams.get("g0.expr")).toContain(
            e.monitor === "feature-drift"
              ? "aiwatch_data_drift_score"
              : e.monitor === "gpu-xid-errors"
                ? "aiwatch_gpu_xid_events_total"
                : "aiwatch_training_learning_rate",
          );
          const grafana = new URL(top?.links.find((l) => l.label === "Grafana")?.url ?? "");
          const panes = JSON.parse(grafana.searchParams.get("panes") ?? "{}") as {
            a: { range: { from: string; to: string } };
          };
          expect(Number(panes.a.range.from)).toBe(Date.parse(data.window.start));
        } else {
          expect(data.evidence.filter((x) => x.score > 0)).toEqual([]);
        }
        expect(data.signal?.query, e.runId).toContain(`run_id="${e.runId}"`);
      }
      expect(lossData("r-b")?.evidence[0]?.priorReason).toMatch(/XID 79/);
      // e: linked by the declared label alone, shown as such.
      expect(lossData("r-e")?.evidence[0]).toMatchObject({
        sharedEntity: { kind: "link", label: "dataset", value: "ds-e" },
        firing: true,
      });
      // f: two models drifted just before its loss spiked, but nothing links them to it.
      expect(lossData("r-f")?.unlinked).toEqual(["feature-drift"]);
      expect(lossData("r-f")?.evidence.filter((x) => x.monitor === "feature-drift")).toEqual([]);
      expect(lossMessage("r-f")?.text).toContain("not linked to this alert: feature-drift");
      // d: linked by its model, whose data did not change: read, and no evidence.
      expect(lossData("r-d")?.unlinked).toEqual([]);

      // Every platform's message starts with the verdict, then the top evidence.
      for (const e of expected)
        for (const type of CHAT_TYPES) {
          // A platform's rate limit (Feishu: 5 a second) may hold a message back a while.
          // The spike's own message lists TrainingLossSpike's alert: the hand-written
          // alert's message on the same run may name the spike too, as a sibling firing
          // beside it (and a platform's text may leave the title out: Feishu's header).
          const message = await waitFor(
            `the ${type} message for ${e.runId}`,
            () =>
              standIns[type].accepted.find(
                (m) => firstListedAlert(m.text) === "TrainingLossSpike" && m.text.includes(e.runId),
              ),
            { timeoutMs: 30_000 },
          );
          const text = message?.text ?? "";
          const headline = text.indexOf(`Probable cause: ${e.verdict}`);
          expect(headline, `${type} ${e.runId}: ${text.slice(0, 300)}`).toBeGreaterThanOrEqual(0);
          // ...before the status line and the alerts.
          expect(headline, type).toBeLessThan(text.indexOf(" firing ("));
          if (e.monitor) {
            const evidence = text.indexOf(`Evidence 1`);
            expect(evidence, `${type} ${e.runId}`).toBeGreaterThan(headline);
            expect(text.slice(evidence, evidence + 200).replace(/\\/g, ""), type).toContain(
              e.monitor,
            );
            expect(text, type).toMatch(/[▁▂▃▄▅▆▇█]{5,}/);
          }
        }

      // An alert outside the spec: its own expression (from the generator URL, run against
      // the configured Prometheus only) and the sibling alerts on the same run, model, node.
      const generic = await waitFor("the hand-written alert's message for r-a", () =>
        standIns.webhook.accepted
          .flatMap(notificationsOf)
          .find((n) =>
            n.notification.alerts.some(
              (a) =>
                a.labels["alertname"] === "TrainingLossAboveTwo" && a.labels["run_id"] === "r-a",
            ),
          ),
      );
      const genericData = generic.enrichment?.data;
      expect(genericData?.signal?.query).toBe('aiwatch_training_loss{phase="train"} > 2');
      expect(new URL(genericData?.signal?.links[0]?.url ?? "").origin).toBe(
        "https://prometheus.example.com",
      );
      expect(genericData?.verdict).toBe("data");
      expect(genericData?.evidence[0]).toMatchObject({
        monitor: "feature-drift",
        labels: { model: "m-a", feature: "age" },
        firing: true,
      });

      // Actions: the live one called once per data verdict (r-a, r-e); the dry-run one never.
      await waitFor("the live actions", () => (actions.calls.length >= 2 ? true : undefined));
      expect(actions.calls).toHaveLength(2);
      expect(actions.calls.map((c) => c.path)).toEqual(["/runs/pause", "/runs/pause"]);
      expect(
        actions.calls
          .map((c) => JSON.parse(c.body) as { run: string; verdict: string })
          .sort((x, y) => x.run.localeCompare(y.run)),
      ).toEqual([
        { run: "r-a", verdict: "data" },
        { run: "r-e", verdict: "data" },
      ]);
      expect(lossData("r-b")?.actions).toEqual([
        expect.objectContaining({ action: "cordon-node", mode: "dry_run", result: "dry_run" }),
      ]);
      // The XID 79 alert itself: its own signal is a known hardware cause (environment).
      const xid = await waitFor("the GpuXidErrors message", () =>
        standIns.webhook.accepted
          .flatMap(notificationsOf)
          .find((n) => n.notification.alerts.some((a) => a.labels["alertname"] === "GpuXidErrors")),
      );
      expect(xid.enrichment?.data).toMatchObject({
        verdict: "environment",
        ownCause: {
          monitor: "gpu-xid-errors",
          priorReason: expect.stringMatching(/XID 79/) as unknown,
        },
      });
      const history = harness.receiver.database
        .prepare("SELECT action, mode, result, group_key FROM actions ORDER BY id")
        .all() as { action: string; mode: string; result: string; group_key: string }[];
      // pause-training: the r-a and r-e loss groups only. cordon-node: every group whose verdict is
      // environment (r-b's loss spike, r-b's hand-written alert through its siblings, and
      // the XID alert itself).
      const pauses = history.filter((h) => h.action === "pause-training");
      expect(pauses.map((h) => [h.mode, h.result])).toEqual([
        ["live", "called"],
        ["live", "called"],
      ]);
      expect(pauses.map((h) => /run_id="(r-\w)"/.exec(h.group_key)?.[1]).sort()).toEqual([
        "r-a",
        "r-e",
      ]);
      const cordons = history.filter((h) => h.action === "cordon-node");
      expect(cordons.length).toBeGreaterThanOrEqual(1);
      expect(cordons.every((h) => h.mode === "dry_run" && h.result === "dry_run")).toBe(true);
      // cordon-node also for the XID alert's own group (on r-b's GPU), and no other.
      expect(
        cordons.map((h) => h.group_key).filter((g) => !g.includes('run_id="r-b"')),
        JSON.stringify(cordons),
      ).toEqual([expect.stringContaining('alertname="GpuXidErrors"')]);
      expect(actions.calls.every((c) => !c.path.includes("cordon"))).toBe(true);
    }, 240_000);

    function lossData(runId: string): EnrichmentData | undefined {
      for (const m of standIns.webhook.accepted)
        for (const n of notificationsOf(m))
          if (
            n.notification.alerts.some(
              (a) => a.labels["run_id"] === runId && a.labels["alertname"] === "TrainingLossSpike",
            )
          )
            return n.enrichment?.data;
      return undefined;
    }
  },
);

function notificationsOf(
  message: AcceptedMessage | undefined,
): { notification: Notification; enrichment: { data: EnrichmentData } | null }[] {
  const body = message?.request.json as
    | { notifications?: (Notification & { enrichment: { data: EnrichmentData } | null })[] }
    | undefined;
  return (body?.notifications ?? []).map((n) => ({ notification: n, enrichment: n.enrichment }));
}
