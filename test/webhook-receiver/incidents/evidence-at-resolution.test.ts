import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linePoints } from "../../../webhook-receiver/incidents/incident-evidence.js";
import type { IncidentEvidence } from "../../../webhook-receiver/incidents/incident-evidence.js";
import { requireBinaries } from "../../support/binaries.js";
import { startMetricsTarget } from "../../support/metrics-target.js";
import type { MetricsTarget } from "../../support/metrics-target.js";
import { startPrometheus } from "../../support/prometheus-process.js";
import type { PrometheusInstance } from "../../support/prometheus-process.js";
import { makeTempDir } from "../../support/temp-dir.js";
import { waitFor } from "../../support/wait-for.js";
import { configHead, startHarness } from "../receiver-harness.js";
import type { Harness } from "../receiver-harness.js";

/**
 * The charts show the signal before and after the onset: the analysis made when an alert
 * fires ends seconds after its onset, and the resolved notification re-reads it, with a
 * real Prometheus, so the incident page covers the onset ± lookback. With Prometheus
 * down at resolution the stored analysis stands and the page still renders from it.
 */
const binaries = requireBinaries("prometheus");
const SPEC = `version: aiwatch/v1
defaults: { scrape_interval: 1s, evaluation_interval: 1s, runbook_base_url: https://runbooks.example.com }
monitors:
  - name: training-loss-high
    layer: model
    signal: aiwatch_training_loss{phase="train"}
    by: [run_id]
    detector: { type: threshold, above: 2 }
    for: 1s
`;
const LOOKBACK_S = 20;
/** The monitor's `for`: the onset is this long before the alert's startsAt. */
const FOR_MS = 1000;

describe.skipIf(!binaries.available)("evidence re-read at resolution", () => {
  const dir = makeTempDir("evidence-at-resolution");
  let target: MetricsTarget;
  let prometheus: PrometheusInstance | undefined;
  let harness: Harness;
  let loss = 1;

  beforeAll(async () => {
    target = await startMetricsTarget(() =>
      ["r-1", "r-2"]
        .map((run) => `aiwatch_training_loss{phase="train",run_id="${run}"} ${loss}\n`)
        .join(""),
    );
    prometheus = await startPrometheus({
      binary: binaries.paths.prometheus,
      dir: dir.path,
      config: `global: { scrape_interval: 1s }\nscrape_configs:\n  - { job_name: trainer, static_configs: [{ targets: ["${target.address}"] }] }\n`,
    });
    writeFileSync(join(dir.path, "aiwatch.yaml"), SPEC);
    harness = await startHarness(
      dir.path,
      `${configHead(dir.path).replace("web:\n", "web:\n  external_url: https://aiwatch.example.com\n")}enrichment:
  timeout: 5s
  spec: aiwatch.yaml
  prometheus: { url: ${prometheus.url} }
  lookback: ${LOOKBACK_S}s
  horizon: 5s
destinations:
  - { name: out, type: console }
default_route:
  destinations: [out]
`,
    );
  });
  afterAll(async () => {
    await prometheus?.stop();
    await harness?.receiver.stop();
    await target?.close();
    dir.remove();
  });

  /** The latest timestamp Prometheus holds for the loss (seconds). */
  const latestSample = async (): Promise<number> => {
    const data = await prometheus?.api<{ result: { value: [number, string] }[] }>(
      `query?query=${encodeURIComponent('max(timestamp(aiwatch_training_loss{run_id="r-1"}))')}`,
    );
    return Number(data?.result[0]?.value[1] ?? 0);
  };
  const notification = (run: string, startsAt: number, endsAt?: number) => ({
    version: "4",
    groupKey: `{}:{alertname="TrainingLossHigh",run_id="${run}"}`,
    truncatedAlerts: 0,
    status: endsAt === undefined ? "firing" : "resolved",
    receiver: "aiwatch",
    groupLabels: { alertname: "TrainingLossHigh", run_id: run },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: "http://alertmanager.example:9093",
    alerts: [
      {
        status: endsAt === undefined ? "firing" : "resolved",
        labels: {
          alertname: "TrainingLossHigh",
          monitor: "training-loss-high",
          layer: "model",
          severity: "warning",
          run_id: run,
        },
        annotations: {},
        startsAt: new Date(startsAt).toISOString(),
        endsAt: new Date(endsAt ?? 0).toISOString(),
      },
    ],
  });
  const send = async (body: unknown, messages: number): Promise<{ id: number; key: string }> => {
    expect((await harness.post(body)).status).toBe(200);
    const message = await waitFor(`message ${messages}`, () => harness.stdout[messages - 1]);
    const [, id = "", key = ""] =
      /Incident page: https:\/\/aiwatch\.example\.com\/incidents\/(\d+)\?key=([\w-]+)/.exec(
        message,
      ) ?? [];
    return { id: Number(id), key };
  };
  const evidenceOf = async (id: number): Promise<IncidentEvidence | undefined> =>
    (await harness.receiver.incidents.enrichment(id))?.evidence;
  const afterOnset = (evidence: IncidentEvidence | undefined): number => {
    const signal = evidence?.signal?.lines.find((l) => l.role === "signal");
    const points = signal ? linePoints(signal) : [];
    return points.filter(([t]) => t > (evidence?.window.onsetMs ?? Infinity)).length;
  };

  it("draws the signal after the onset once the incident resolves; keeps the stored charts with Prometheus down", async () => {
    // A baseline before the onset, then the loss rises.
    const firstSample = await waitFor("Prometheus to scrape the trainer", async () =>
      (await latestSample()) > 0 ? await latestSample() : undefined,
    );
    await waitFor("some baseline", async () =>
      (await latestSample()) >= firstSample + 5 ? true : undefined,
    );
    loss = 5;
    const onset = Date.now();
    const fired = await send(notification("r-1", onset + FOR_MS), 1);
    const atFiring = await evidenceOf(fired.id);
    expect(atFiring?.window.onsetMs).toBe(onset);
    // Read when it fired: the window ends about now, seconds after the onset.
    expect(atFiring?.window.endMs).toBeLessThan(onset + 5_000);
    expect(afterOnset(atFiring)).toBeLessThan(6);

    await waitFor("the loss to be scraped well after the onset", async () =>
      (await latestSample()) * 1000 >= onset + 9_000 ? true : undefined,
    );
    loss = 1;
    const resolved = await send(notification("r-1", onset + FOR_MS, Date.now()), 2);
    expect(resolved).toEqual(fired);
    const atResolution = await evidenceOf(fired.id);
    expect(atResolution?.capturedAt).toBeGreaterThan(atFiring?.capturedAt ?? Infinity);
    expect(atResolution?.window.onsetMs).toBe(onset);
    expect(atResolution?.window.startMs).toBe(onset - LOOKBACK_S * 1000);
    expect(atResolution?.window.endMs).toBeGreaterThanOrEqual(onset + 9_000);
    expect(afterOnset(atResolution)).toBeGreaterThanOrEqual(8);
    const page = await fetch(`${harness.receiver.url}/incidents/${fired.id}?key=${fired.key}`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('data-event="enriched"');
    expect(html).toContain("the onset (");

    // Another run fires; Prometheus is gone before it resolves.
    const second = await send(notification("r-2", Date.now()), 3);
    const stored = await evidenceOf(second.id);
    expect(stored).toBeDefined();
    await prometheus?.stop();
    prometheus = undefined;
    await send(notification("r-2", (stored?.window.onsetMs ?? 0) + FOR_MS, Date.now()), 4);
    expect(await evidenceOf(second.id)).toEqual(stored);
    const kept = await fetch(`${harness.receiver.url}/incidents/${second.id}?key=${second.key}`);
    expect(kept.status).toBe(200);
    expect((await kept.text()).match(/data-marker="onset"/g)?.length).toBeGreaterThanOrEqual(1);
  });
});
