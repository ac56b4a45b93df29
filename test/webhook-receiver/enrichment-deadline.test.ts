import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireBinaries } from "../support/binaries.js";
import { freePort } from "../support/free-port.js";
import { startPrometheus } from "../support/prometheus-process.js";
import type { PrometheusInstance } from "../support/prometheus-process.js";
import { makeTempDir } from "../support/temp-dir.js";
import type { TempDir } from "../support/temp-dir.js";
import { SCENARIO_SPEC, startScenarioFleet } from "../support/training-scenario.js";
import type { ScenarioFleet } from "../support/training-scenario.js";
import { waitFor } from "../support/wait-for.js";
import { startGenericWebhookStandIn } from "./platforms/generic-webhook.js";
import type { AcceptedMessage, StandIn } from "./platforms/stand-in-server.js";
import { configHead, startHarness } from "./receiver-harness.js";
import type { Harness } from "./receiver-harness.js";
import { webhookPayload } from "./sample-notifications.js";

/**
 * The deadline holds when Prometheus does not answer: a message goes out marked "not
 * enriched" while Prometheus is frozen (SIGSTOP: connections open, nothing answers) or
 * down (killed: connections refused), and the evidence follows as an update to the same
 * destination once it is back. Nothing here is timed: the first message must arrive
 * while Prometheus is still frozen or down, which only the deadline can make happen.
 */
const binaries = requireBinaries("prometheus");
const HOOK_TOKEN = "hook-token-31337";

interface WebhookBody {
  notifications: {
    groupKey: string;
    enrichment: {
      headline: string;
      data?: { enriched: boolean; reason?: string; verdict?: string };
    } | null;
  }[];
  text: string;
}

describe.skipIf(!binaries.available)("enrichment when Prometheus is slow or down", () => {
  let dir: TempDir;
  let fleet: ScenarioFleet;
  let prometheus: PrometheusInstance;
  let port: number;
  let hook: StandIn & { url: string };
  let harness: Harness;
  const prometheusConfig = (): string =>
    ["global: { scrape_interval: 1s }", fleet.scrapeConfigs(), ""].join("\n");

  beforeAll(async () => {
    dir = makeTempDir("rca-deadline");
    writeFileSync(join(dir.path, "aiwatch.yaml"), SCENARIO_SPEC);
    fleet = await startScenarioFleet(["a"]);
    port = await freePort();
    prometheus = await startPrometheus({
      binary: binaries.paths.prometheus,
      dir: dir.path,
      port,
      config: prometheusConfig(),
    });
    hook = await startGenericWebhookStandIn(HOOK_TOKEN);
    harness = await startHarness(
      dir.path,
      `${configHead(dir.path)}enrichment:
  timeout: 1s
  spec: aiwatch.yaml
  prometheus: { url: ${prometheus.url} }
  query_timeout: 300ms
  lookback: 60s
  horizon: 15s
  follow_up_for: 2m
destinations:
  - { name: hook, type: webhook, url: { env: HOOK_URL }, headers: { Authorization: { env: HOOK_AUTH } } }
default_route:
  destinations: [hook]
`,
      { env: { HOOK_URL: hook.url, HOOK_AUTH: `Bearer ${HOOK_TOKEN}` } },
    );
    await waitFor(
      "a few samples of the run in Prometheus",
      async () => {
        const data = await prometheus.api<{ result: unknown[] }>(
          `query?query=${encodeURIComponent('count_over_time(aiwatch_training_loss{run_id="r-a"}[1m]) > 3')}`,
        );
        return data.result.length > 0 ? true : undefined;
      },
      { timeoutMs: 30_000, pollMs: 250 },
    );
  });

  afterAll(async () => {
    if (prometheus?.process.child.pid) prometheus.process.child.kill("SIGCONT");
    await harness?.receiver.stop();
    await prometheus?.stop();
    await fleet?.close();
    await hook?.close();
    dir?.remove();
  });

  const post = (group: string) =>
    harness.post(
      webhookPayload({
        groupKey: group,
        alerts: [
          {
            name: "TrainingLossSpike",
            labels: {
              monitor: "training-loss-spike",
              layer: "model",
              severity: "warning",
              run_id: "r-a",
              job_name: "job-a",
            },
            startsAt: new Date(Date.now() - 3000).toISOString(),
          },
        ],
      }),
    );
  const messagesOf = (group: string): { message: AcceptedMessage; body: WebhookBody }[] =>
    hook.accepted
      .map((message) => ({ message, body: message.request.json as WebhookBody }))
      .filter((m) => m.body.notifications.some((n) => n.groupKey === group));

  it("sends a frozen Prometheus's alert marked not enriched, then the evidence when it thaws", async () => {
    const pid = prometheus.process.child.pid ?? 0;
    process.kill(pid, "SIGSTOP");
    try {
      expect((await post('{}:{run_id="r-a",case="frozen"}')).status).toBe(200);
      await waitFor(
        "the message without evidence",
        () => (messagesOf('{}:{run_id="r-a",case="frozen"}').length === 1 ? true : undefined),
        { timeoutMs: 20_000 },
      );
    } finally {
      process.kill(pid, "SIGCONT");
    }
    const [first] = messagesOf('{}:{run_id="r-a",case="frozen"}');
    const enrichment = first?.body.notifications[0]?.enrichment;
    expect(enrichment?.headline).toMatch(
      /^Not enriched: the evidence did not arrive within 1s \(prometheus: timeout\)/,
    );
    expect(enrichment?.data).toEqual({ enriched: false, reason: "prometheus: timeout" });
    expect(first?.body.text).toMatch(/^Not enriched/);

    await waitFor(
      "the follow-up with the evidence",
      () => (messagesOf('{}:{run_id="r-a",case="frozen"}').length === 2 ? true : undefined),
      { timeoutMs: 45_000, pollMs: 200 },
    );
    const second = messagesOf('{}:{run_id="r-a",case="frozen"}')[1];
    expect(second?.body.notifications[0]?.enrichment?.data?.enriched).toBe(true);
    expect(second?.body.notifications[0]?.enrichment?.headline).toMatch(
      /^Evidence arrived: Probable cause: /,
    );
    expect(second?.body.text).toContain("(update to an earlier message)");
    const metrics = await (await fetch(`${harness.receiver.url}/metrics`)).text();
    expect(metrics).toMatch(
      /aiwatch_receiver_enrichment_notifications_total\{result="not_enriched"\} [1-9]/,
    );
    expect(metrics).toMatch(/aiwatch_receiver_enrichment_follow_ups_total [1-9]/);
  });

  it("sends a down Prometheus's alert marked not enriched, then the evidence once it is back", async () => {
    await prometheus.stop();
    expect((await post('{}:{run_id="r-a",case="down"}')).status).toBe(200);
    await waitFor(
      "the message without evidence",
      () => (messagesOf('{}:{run_id="r-a",case="down"}').length === 1 ? true : undefined),
      { timeoutMs: 20_000 },
    );
    const first = messagesOf('{}:{run_id="r-a",case="down"}')[0]?.body.notifications[0];
    expect(first?.enrichment?.data?.enriched).toBe(false);
    expect(first?.enrichment?.data?.reason).toMatch(/^prometheus: ECONNREFUSED/);

    prometheus = await startPrometheus({
      binary: binaries.paths.prometheus,
      dir: dir.path,
      port,
      config: prometheusConfig(),
    });
    await waitFor(
      "the follow-up with the evidence",
      () => (messagesOf('{}:{run_id="r-a",case="down"}').length === 2 ? true : undefined),
      { timeoutMs: 60_000, pollMs: 200 },
    );
    const second = messagesOf('{}:{run_id="r-a",case="down"}')[1]?.body.notifications[0];
    expect(second?.enrichment?.data?.enriched).toBe(true);
    expect(second?.enrichment?.data?.verdict).toMatch(/^(data|model|environment|unknown)$/);
  });
});
