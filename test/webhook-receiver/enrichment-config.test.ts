import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatDiagnostics } from "../../core/diagnostics/format.js";
import { loadReceiverConfig } from "../../webhook-receiver/config/load-config.js";
import { expectGolden } from "../support/golden.js";
import { makeTempDir } from "../support/temp-dir.js";
import type { TempDir } from "../support/temp-dir.js";
import { SCENARIO_SPEC } from "../support/training-scenario.js";

let dir: TempDir;
beforeEach(() => {
  dir = makeTempDir("enrichment-config");
  writeFileSync(join(dir.path, "aiwatch.yaml"), SCENARIO_SPEC);
});
afterEach(() => dir.remove());

const HEAD = `web: { auth: { bearer_tokens: [{ env: TOKEN }] } }
storage: { path: r.db }
destinations:
  - { name: out, type: console }
`;
const ENV = {
  TOKEN: "receiver-token",
  PROM_TOKEN: "prom-secret-token",
  AM_PASSWORD: "am-secret-pw",
  OPS: "Bearer ops-secret",
};

async function load(yaml: string) {
  const path = join(dir.path, "receiver.yaml");
  writeFileSync(path, yaml);
  return loadReceiverConfig(path, { env: ENV });
}

describe("receiver.yaml enrichment and actions", () => {
  it("maps the analysis: spec from rulegen, credentials as headers, defaults applied", async () => {
    const loaded = await load(`${HEAD}enrichment:
  timeout: 1500ms
  spec: aiwatch.yaml
  prometheus: { url: "http://prometheus:9090/", bearer_token: { env: PROM_TOKEN } }
  alertmanager: { url: "http://alertmanager:9093", basic_auth: { username: am, password: { env: AM_PASSWORD } } }
  grafana: { url: "https://grafana.example.com", datasource_uid: prom }
  topology: { node: [node, kubernetes_node] }
  scoring: { min_score: 0.4, locality: { workload: 0.6 } }
actions:
  mode: dry_run
default_route:
  destinations: [out]
  actions:
    - name: cordon
      when: { verdict: [environment], min_confidence: 0.5 }
      url: https://ops.example.com/cordon
      headers: { Authorization: { env: OPS } }
`);
    if (!loaded.ok) throw new Error(formatDiagnostics(loaded.diagnostics));
    const { analysis, actions, defaultRoute, secretValues, enrichmentTimeoutMs } = loaded.config;
    expect(enrichmentTimeoutMs).toBe(1500);
    expect([...(analysis?.spec?.monitors.keys() ?? [])]).toEqual([
      "training-loss-spike",
      "feature-drift",
      "gpu-xid-errors",
      "learning-rate-changed",
    ]);
    expect(analysis?.prometheus).toEqual({
      url: "http://prometheus:9090",
      headers: { authorization: "Bearer prom-secret-token" },
    });
    expect(analysis?.alertmanager?.headers["authorization"]).toBe(
      `Basic ${Buffer.from("am:am-secret-pw").toString("base64")}`,
    );
    expect(analysis?.links).toEqual({
      prometheus: "http://prometheus:9090",
      grafana: { url: "https://grafana.example.com", datasourceUid: "prom", orgId: 1 },
    });
    expect(analysis?.topology.labels.node).toEqual(["node", "kubernetes_node"]);
    expect(analysis?.topology.labels.gpu).toEqual(["uuid", "UUID"]);
    expect(analysis?.scoring).toMatchObject({
      minScore: 0.4,
      zMin: 3,
      zFull: 8,
      // Two of the spec's scrape intervals (1s).
      toleranceMs: 2000,
      locality: { gpu: 1, node: 0.85, workload: 0.6, cluster: 0 },
    });
    expect(analysis).toMatchObject({
      lookbackMs: 3_600_000,
      horizonMs: 1_800_000,
      queryTimeoutMs: 1000,
      maxConcurrency: 4,
      defaultStepMs: 1000,
    });
    expect(actions).toEqual({ mode: "dry_run", cooldownMs: 86_400_000 });
    expect(defaultRoute.actions[0]).toMatchObject({
      name: "cordon",
      routeId: "default_route",
      method: "POST",
      when: { verdicts: ["environment"], minConfidence: 0.5, matchers: [] },
      headers: { authorization: "Bearer ops-secret" },
      rateLimit: { max: 10, perMs: 3_600_000 },
      timeoutMs: 5000,
      dryRun: false,
    });
    expect(secretValues).toEqual(
      expect.arrayContaining(["prom-secret-token", "am-secret-pw", "Bearer ops-secret"]),
    );
  });

  it("keeps a Prometheus URL's userinfo out of the links people get, and redacts it", async () => {
    const loaded = await load(`${HEAD}enrichment:
  prometheus: { url: "https://reader:prom-url-password@prometheus.example.com/" }
default_route:
  destinations: [out]
`);
    if (!loaded.ok) throw new Error(formatDiagnostics(loaded.diagnostics));
    const { analysis, secretValues } = loaded.config;
    expect(analysis?.prometheus.url).toBe(
      "https://reader:prom-url-password@prometheus.example.com",
    );
    expect(analysis?.links.prometheus).toBe("https://prometheus.example.com");
    expect(secretValues).toEqual(expect.arrayContaining(["reader", "prom-url-password"]));
  });

  it("reports every problem at its line and column, the spec's own at the spec's", async () => {
    writeFileSync(
      join(dir.path, "broken.yaml"),
      "version: aiwatch/v1\ndefaults: { runbook_base_url: https://r.example }\nmonitors:\n  - name: loss\n    layer: model\n    signal: rate(x)\n    detector: { type: threshold, above: 1 }\n",
    );
    const loaded = await load(`${HEAD}enrichment:
  spec: [broken.yaml, missing.yaml]
  prometheus: { url: "prometheus:9090", bearer_token: { env: NOPE } }
  lookback: 10m
  horizon: 30m
  qeury_timeout: 1s
  scoring: { z_min: 5, z_full: 4, locality: { cluster: 0.35 } }
routes:
  - matchers: ['team="ml"']
    destinations: [out]
    actions:
      - { name: a1, url: "ftp://ops", body: '{"x": {{json labels}}}' }
      - { name: a1, url: "http://ops", when: { matchers: ["nope"], verdict: [dat] } }
default_route:
  destinations: [out]
`);
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    const text = formatDiagnostics(loaded.diagnostics).replaceAll(dir.path, "<dir>");
    expect(text).toBe(
      [
        '<dir>/receiver.yaml:10:3: error unknown-key: unknown key "qeury_timeout" in enrichment (did you mean "query_timeout"?)',
        "<dir>/receiver.yaml:11:56: error invalid-value: enrichment.scoring.locality.cluster: evidence that shares nothing with the alert no longer counts (timing alone is no reason): remove this key; link monitors by topology labels (enrichment.topology) or by the labels the spec declares (related: [{ monitor, on: [label] }])",
        '<dir>/receiver.yaml:17:78: error invalid-value: routes[0].actions[1].when.verdict[0]: expected "data", "model", "environment", "unknown" (one of), got "dat" (did you mean "data"?)',
        "",
      ].join("\n"),
    );
    // Schema errors come first; once they are fixed the rest is checked.
    const fixed = await load(
      `${HEAD}enrichment:
  spec: [broken.yaml, missing.yaml]
  prometheus: { url: "prometheus:9090", bearer_token: { env: NOPE } }
  lookback: 10m
  horizon: 30m
  scoring: { z_min: 5, z_full: 4 }
routes:
  - matchers: ['team="ml"']
    destinations: [out]
    actions:
      - { name: a1, url: "ftp://ops", body: '{"x": {{json labels}}}' }
      - { name: a1, url: "http://ops", when: { matchers: ["nope"] } }
default_route:
  destinations: [out]
`,
    );
    expect(fixed.ok).toBe(false);
    if (fixed.ok) return;
    expectGolden(
      join(import.meta.dirname, "golden", "enrichment-config-errors.txt"),
      formatDiagnostics(fixed.diagnostics).replaceAll(dir.path, "<dir>"),
    );
  });
});
