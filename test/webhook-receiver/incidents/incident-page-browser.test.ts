import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { compileSpecs } from "../../../rulegen/compile.js";
import { startAlertmanager } from "../../support/alertmanager-process.js";
import type { AlertmanagerInstance } from "../../support/alertmanager-process.js";
import { requireBinaries } from "../../support/binaries.js";
import { repoPath } from "../../support/fixtures.js";
import { freePort } from "../../support/free-port.js";
import { startChromium } from "../../support/headless-chromium.js";
import type { HeadlessChromium } from "../../support/headless-chromium.js";
import { startPrometheus } from "../../support/prometheus-process.js";
import type { PrometheusInstance } from "../../support/prometheus-process.js";
import { makeTempDir } from "../../support/temp-dir.js";
import type { TempDir } from "../../support/temp-dir.js";
import { SCENARIO_SPEC, startScenarioFleet } from "../../support/training-scenario.js";
import type { ScenarioFleet, ScenarioRun } from "../../support/training-scenario.js";
import { waitFor } from "../../support/wait-for.js";
import { configHead, startHarness, TOKEN } from "../receiver-harness.js";
import type { Harness } from "../receiver-harness.js";
import { webhookPayload } from "../sample-notifications.js";

/**
 * The incident pages as a person sees them, in Debian's Chromium: the demo's three kinds
 * of incident built through the real pipeline (a real Prometheus 2.42 evaluates the
 * compiled spec over scraped training runs, a real Alertmanager 0.25 groups and posts the
 * alerts, the receiver gathers and stores the evidence):
 *   r-a: its model's feature drifts, then its loss spikes      → TrainingLossSpike, data
 *   r-n: its loss turns NaN                                     → TrainingLossNotFinite
 *   r-x: its GPU logs XID 79, then its loss spikes             → TrainingLossSpike, environment
 * Prometheus is stopped before the pages are opened: they are drawn from what was stored.
 * Screenshots go to .tmp/incident-pages/ (or AIWATCH_SCREENSHOTS).
 */
const binaries = requireBinaries("prometheus", "alertmanager", "chromium");
const EXTERNAL = "https://aiwatch.example.com";
const LINK = /Incident page: https:\/\/aiwatch\.example\.com(\/incidents\/\d+\?key=[A-Za-z0-9_-]+)/;
const SPEC = `${SCENARIO_SPEC}  - name: training-loss-not-finite
    layer: model
    signal: aiwatch_training_loss
    by: [run_id, job_name]
    detector: { type: nonFinite }
    related: [learning-rate-changed, gpu-xid-errors]
`;
const screenshots = process.env["AIWATCH_SCREENSHOTS"] ?? repoPath(".tmp", "incident-pages");

describe.skipIf(!binaries.available)("incident pages in headless Chromium", () => {
  let dir: TempDir;
  let fleet: ScenarioFleet;
  let prometheus: PrometheusInstance | undefined;
  let alertmanager: AlertmanagerInstance;
  let harness: Harness;
  let browser: HeadlessChromium;
  const run = (name: string): ScenarioRun => {
    const found = fleet.runs.find((r) => r.runId === `r-${name}`);
    if (!found) throw new Error(`no run ${name}`);
    return found;
  };

  beforeAll(async () => {
    dir = makeTempDir("incident-browser");
    mkdirSync(screenshots, { recursive: true });
    writeFileSync(join(dir.path, "aiwatch.yaml"), SPEC);
    const compiled = compileSpecs([
      { file: "aiwatch.yaml", text: SPEC, displayName: "aiwatch.yaml" },
    ]);
    expect(compiled.diagnostics).toEqual([]);
    const rules = compiled.specs[0]?.files.find((f) => f.name.endsWith(".rules.yml"));
    writeFileSync(join(dir.path, "rca.rules.yml"), rules?.content ?? "");
    fleet = await startScenarioFleet(["a", "n", "x"]);
    const amPort = await freePort();
    prometheus = await startPrometheus({
      binary: binaries.paths.prometheus,
      dir: dir.path,
      config: [
        "global: { scrape_interval: 1s, evaluation_interval: 1s }",
        `rule_files: [${JSON.stringify(join(dir.path, "rca.rules.yml"))}]`,
        `alerting: { alertmanagers: [{ static_configs: [{ targets: ["127.0.0.1:${amPort}"] }] }] }`,
        fleet.scrapeConfigs(),
        "",
      ].join("\n"),
    });
    harness = await startHarness(
      dir.path,
      `${configHead(dir.path).replace("web:\n", `web:\n  external_url: ${EXTERNAL}\n`)}enrichment:
  timeout: 10s
  spec: aiwatch.yaml
  prometheus: { url: ${prometheus.url}, external_url: "https://prometheus.example.com" }
  alertmanager: { url: "http://127.0.0.1:${amPort}" }
  query_timeout: 5s
  lookback: 60s
  horizon: 15s
  topology: { node: [node, Hostname, hostname, instance] }
destinations:
  - { name: terminal, type: console }
default_route:
  destinations: [terminal]
`,
    );
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
        http_config: { authorization: { type: Bearer, credentials: ${TOKEN} } }
`,
    });
    browser = await startChromium(binaries.paths.chromium);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await prometheus?.stop();
    await alertmanager?.stop();
    await harness?.receiver.stop();
    await fleet?.close();
    dir?.remove();
  });

  /** The path of the incident page in the message for `alertname` on `runId`. */
  const linkOf = (alertname: string, runId: string): string | undefined => {
    for (const message of harness.stdout) {
      if (!message.includes(alertname) || !message.includes(runId)) continue;
      if (message.includes("Not enriched")) continue;
      const link = LINK.exec(message)?.[1];
      if (link) return link;
    }
    return undefined;
  };

  async function open(path: string, name: string): Promise<Page> {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(m.text());
    });
    page.on("dialog", (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    const response = await page.goto(`${harness.receiver.url}${path}`);
    expect(response?.status(), path).toBe(200);
    await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
    // The page's one stylesheet passes its CSP, and nothing else was tried.
    expect(problems, name).toEqual([]);
    expect(await page.evaluate<number>("document.scripts.length")).toBe(0);
    return page;
  }

  it("shows each demo incident's verdict, charts, evidence and timeline from stored evidence", async () => {
    await waitFor(
      "the loss baselines of all runs",
      async () => {
        const data = await prometheus?.api<{ result: unknown[] }>(
          `query?query=${encodeURIComponent('run_id_job_name:aiwatch_training_loss:avg20s{monitor="training-loss-spike"}')}`,
        );
        return data?.result.length === 3 ? true : undefined;
      },
      { timeoutMs: 120_000, pollMs: 500 },
    );
    run("a").drift = 0.45;
    run("x").xidEvents = 1;
    run("x").xidCodes = [79];
    const scraped = fleet.data.scrapes();
    await waitFor(
      "the causes to be scraped for a while",
      () => (fleet.data.scrapes() >= scraped + 6 ? true : undefined),
      { timeoutMs: 30_000 },
    );
    run("a").loss = 3;
    run("x").loss = 3;
    run("n").loss = NaN;
    const links = await waitFor(
      "an enriched message with its incident link for each incident",
      () => {
        const found = {
          drift: linkOf("TrainingLossSpike", "r-a"),
          nan: linkOf("TrainingLossNotFinite", "r-n"),
          xid: linkOf("TrainingLossSpike", "r-x"),
        };
        return found.drift && found.nan && found.xid
          ? { drift: found.drift, nan: found.nan, xid: found.xid }
          : undefined;
      },
      { timeoutMs: 120_000, pollMs: 250 },
    ).catch((error: unknown) => {
      throw new Error(
        `${String(error)}\nmessages:\n${harness.stdout.join("\n---\n").slice(-4000)}\nlogs:\n${harness.logs.slice(-20).join("")}`,
      );
    });
    // Everything below is drawn from the receiver's own store.
    await prometheus?.stop();
    prometheus = undefined;

    const drift = await open(links.drift, "loss-spike-after-drift");
    // The top of the page as docs/incident-page.png shows it.
    await drift.setViewportSize({ width: 1000, height: 1300 });
    await drift.screenshot({ path: join(screenshots, "loss-spike-after-drift-top.png") });
    expect(await drift.locator("h1").innerText()).toMatch(/^TrainingLossSpike\s+FIRING/);
    expect(await drift.locator(".verdict").innerText()).toMatch(/^Probable cause: data \(/);
    await expectSignalChart(drift, { band: true, nonFinite: false });
    const driftEvidence = drift.locator('section[data-evidence="feature-drift"]').first();
    expect(await driftEvidence.innerText()).toMatch(/#1 feature-drift[\s\S]*feature=age/);
    expect(await driftEvidence.locator('svg line[data-marker="onset"]').count()).toBe(1);
    expect(
      await driftEvidence.locator("svg line[data-threshold]").getAttribute("data-threshold"),
    ).toBe("0.2");
    await expectTimeline(drift);

    const nan = await open(links.nan, "nan-loss");
    expect(await nan.locator("h1").innerText()).toMatch(/^TrainingLossNotFinite\s+FIRING/);
    // No cause was injected: the page says so rather than blame another run.
    expect(await nan.locator(".verdict").innerText()).toMatch(/^Probable cause: unknown\b/);
    expect(await nan.locator(".verdict").getAttribute("data-verdict")).toBe("unknown");
    await expectSignalChart(nan, { band: false, nonFinite: true });
    expect(await nan.locator("text=Related monitors checked").innerText()).toMatch(
      /gpu-xid-errors, learning-rate-changed/,
    );
    await expectTimeline(nan);

    const xid = await open(links.xid, "loss-spike-after-xid");
    expect(await xid.locator(".verdict").innerText()).toMatch(
      /^Probable cause: environment \([\s\S]*XID 79/,
    );
    const xidEvidence = xid.locator('section[data-evidence="gpu-xid-errors"]').first();
    expect(await xidEvidence.innerText()).toMatch(/#1 gpu-xid-errors/);
    expect(await xidEvidence.locator('svg text[data-axis="y"]').textContent()).toBe(
      "events per 1s",
    );
    await expectTimeline(xid);

    // On a phone the page fits the screen's width; printed, the navigation is left out.
    await drift.setViewportSize({ width: 390, height: 844 });
    expect(
      await drift.evaluate<boolean>("document.documentElement.scrollWidth <= window.innerWidth"),
    ).toBe(true);
    await drift.screenshot({ path: join(screenshots, "loss-spike-after-drift-phone.png") });
    await drift.emulateMedia({ media: "print" });
    expect(await drift.locator("nav").isVisible()).toBe(false);
  }, 300_000);

  it("shows labels and annotations carrying HTML, SVG and javascript: URLs as text", async () => {
    const evil = {
      name: "<script>alert(1)</script>",
      svg: '<svg onload="alert(2)"><circle r="40"/></svg>',
      summary: '<img src=x onerror="alert(3)">',
      runbook: "javascript:alert(4)",
    };
    const before = harness.stdout.length;
    const response = await harness.post(
      webhookPayload({
        alerts: [
          {
            name: evil.name,
            labels: { svg: evil.svg },
            annotations: { summary: evil.summary, runbook_url: evil.runbook },
          },
        ],
        groupLabels: { alertname: evil.name },
      }),
    );
    expect(response.status).toBe(200);
    const path = await waitFor("the hostile alert's message", () =>
      harness.stdout
        .slice(before)
        .map((m) => (m.includes("alert(1)") ? LINK.exec(m)?.[1] : undefined))
        .find((l) => l !== undefined),
    );
    const page = await open(path, "hostile-labels");
    const shown = await page.locator("main").innerText();
    for (const value of [evil.name, evil.svg, evil.summary]) expect(shown).toContain(value);
    expect(shown).toContain(`Runbook: ${evil.runbook}`);
    expect(await page.locator("main svg, main img, main script, main circle").count()).toBe(0);
    const hrefs = await Promise.all(
      (await page.locator("a").all()).map((a) => a.getAttribute("href")),
    );
    // The page has links (the list, the silence): none of them may be the payload's.
    expect(hrefs.length).toBeGreaterThan(0);
    expect(hrefs.filter((h) => !/^(https?:|\/incidents)/.test(h ?? ""))).toEqual([]);
  }, 60_000);
});

async function expectSignalChart(
  page: Page,
  expected: { band: boolean; nonFinite: boolean },
): Promise<void> {
  const chart = page.locator('figure[data-evidence="signal"] svg');
  expect(await chart.count()).toBe(1);
  expect(await chart.locator('line[data-marker="onset"]').count()).toBe(1);
  expect(await chart.locator('path[data-line="signal"]').count()).toBe(1);
  expect((await chart.locator('path[data-line="band"]').count()) > 0).toBe(expected.band);
  expect((await chart.locator("rect[data-nonfinite]").count()) > 0).toBe(expected.nonFinite);
  expect(await chart.locator('text[data-axis="x"]').textContent()).toMatch(/^time from onset/);
  expect((await chart.boundingBox())?.height ?? 0).toBeGreaterThan(150);
}

async function expectTimeline(page: Page): Promise<void> {
  const events = await Promise.all(
    (await page.locator("ol.timeline li").all()).map(
      async (li) => `${(await li.getAttribute("data-event")) ?? ""} ${await li.innerText()}`,
    ),
  );
  for (const kind of ["fired", "received", "enriched", "sent"])
    expect(
      events.some((e) => e.startsWith(`${kind} `)),
      `${kind} in ${events.join("\n")}`,
    ).toBe(true);
  expect(events.find((e) => e.startsWith("sent "))).toMatch(/to terminal delivered/);
}
