import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { compileSpecs } from "../../rulegen/compile.js";
import { SELF_MONITORING_GROUP } from "../../rulegen/self-monitoring/plan-self-monitoring.js";
import { SELF_MONITORING_ALERTS } from "../../rulegen/self-monitoring/self-monitoring-alerts.js";
import { DEFAULT_SELF_MONITORING_RUNBOOKS } from "../../spec/model/monitor.js";
import { startTestExporter } from "../exporters/training/exporter-harness.js";
import { configHead, startHarness } from "../webhook-receiver/receiver-harness.js";
import { makeTempDir } from "../support/temp-dir.js";
import { docBlocks } from "../support/doc-blocks.js";
import { repoPath } from "../support/fixtures.js";
import { readFileSync } from "node:fs";

const temp = makeTempDir("self-monitoring");
afterAll(() => temp.remove());

const spec = (extra: string) => `version: aiwatch/v1
defaults:
  runbook_base_url: https://runbooks.example.com
  labels: { team: ml-platform }
${extra}monitors:
  - name: loss-high
    layer: model
    signal: aiwatch_training_loss
    detector: { type: threshold, above: 10 }
`;

interface RuleFile {
  groups: {
    name: string;
    rules: {
      alert?: string;
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
    }[];
  }[];
}
interface TestFile {
  tests: { name: string }[];
}

function compile(text: string): { rules: RuleFile; tests: TestFile } {
  const result = compileSpecs([{ file: "spec.yaml", text, displayName: "spec.yaml" }]);
  expect(result.diagnostics).toEqual([]);
  const files = result.specs[0]?.files ?? [];
  const content = (suffix: string) => files.find((f) => f.name.endsWith(suffix))?.content ?? "";
  return {
    rules: parseYaml(content(".rules.yml")) as RuleFile,
    tests: parseYaml(content(".test.yml")) as TestFile,
  };
}

describe("the self-monitoring group", () => {
  it("is on by default: every alert, the spec's labels, its own severity and layer, a runbook anchor", () => {
    const { rules, tests } = compile(spec(""));
    const group = rules.groups.find((g) => g.name === SELF_MONITORING_GROUP);
    expect(group?.rules.map((r) => r.alert)).toEqual(SELF_MONITORING_ALERTS.map((a) => a.alert));
    for (const [i, rule] of (group?.rules ?? []).entries()) {
      const alert = SELF_MONITORING_ALERTS[i];
      expect(rule.labels).toEqual({
        layer: "environment",
        severity: alert?.severity,
        team: "ml-platform",
      });
      expect(rule.annotations?.["runbook_url"]).toBe(
        `${DEFAULT_SELF_MONITORING_RUNBOOKS}#${alert?.alert.toLowerCase()}`,
      );
    }
    expect(tests.tests.filter((t) => t.name.startsWith("self-monitoring: "))).toHaveLength(
      SELF_MONITORING_ALERTS.length,
    );
  });

  it("is left out with self_monitoring: false, tests included", () => {
    const { rules, tests } = compile(spec("self_monitoring: false\n"));
    expect(rules.groups.map((g) => g.name)).toEqual(["aiwatch-loss-high"]);
    expect(tests.tests.map((t) => t.name).filter((n) => n.startsWith("self-monitoring"))).toEqual(
      [],
    );
  });

  it("links to runbooks elsewhere with self_monitoring.runbook_base_url", () => {
    const { rules } = compile(
      spec("self_monitoring: { runbook_base_url: https://wiki.example/aiwatch }\n"),
    );
    const group = rules.groups.find((g) => g.name === SELF_MONITORING_GROUP);
    expect(group?.rules[0]?.annotations?.["runbook_url"]).toBe(
      "https://wiki.example/aiwatch#aiwatchcollectordown",
    );
  });

  it("reports a misspelt self_monitoring setting at its position", () => {
    const result = compileSpecs([
      {
        file: "spec.yaml",
        text: spec("self_monitoring: { runbook_base: x }\n"),
        displayName: "spec.yaml",
      },
    ]);
    expect(result.diagnostics.map((d) => [d.code, d.position?.line])).toEqual([["unknown-key", 5]]);
  });

  it("reads only metrics the exporter and the receiver really expose", async () => {
    const exporter = await startTestExporter(temp.path, "collectors: {}\n");
    const receiver = await startHarness(
      temp.path,
      `${configHead(temp.path)}destinations:\n  - { name: out, type: console }\ndefault_route:\n  destinations: [out]\n`,
    );
    try {
      const exposed = new Set<string>(["up"]);
      for (const url of [exporter.url, receiver.receiver.url]) {
        const text = await (await fetch(`${url}/metrics`)).text();
        for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
          const [, name = "", type] = match;
          exposed.add(name);
          if (type === "counter" && !name.endsWith("_total")) exposed.add(`${name}_total`);
        }
      }
      const read = new Set(
        SELF_MONITORING_ALERTS.flatMap((a) =>
          [...a.expr.matchAll(/\b(aiwatch_[a-z0-9_]+|up)\b/g)].map((m) => m[1] ?? ""),
        ),
      );
      expect([...read].filter((name) => !exposed.has(name))).toEqual([]);
      expect(read.size).toBeGreaterThanOrEqual(10);
    } finally {
      await exporter.stop();
      await receiver.receiver.stop();
    }
  });

  it("has a runbook for every alert in docs/self-monitoring.md, where runbook_url points", () => {
    const page = readFileSync(repoPath("docs", "self-monitoring.md"), "utf8");
    const headings = [...page.matchAll(/^### (\w+)$/gm)].map((m) => m[1]);
    expect(headings).toEqual(SELF_MONITORING_ALERTS.map((a) => a.alert));
    // The default points into the repository package.json names, where this page is.
    const pkg = JSON.parse(readFileSync(repoPath("package.json"), "utf8")) as {
      repository: { url: string };
    };
    const repository = pkg.repository.url.replace(/^git\+/, "").replace(/\.git$/, "");
    expect(DEFAULT_SELF_MONITORING_RUNBOOKS).toBe(
      `${repository}/blob/main/docs/self-monitoring.md`,
    );
    for (const alert of SELF_MONITORING_ALERTS)
      expect(page).toContain(`(#${alert.alert.toLowerCase()})`);
  });

  it("accepts the page's spec snippets", () => {
    const snippets = docBlocks("self-monitoring.md").filter((b) => b.lang === "yaml");
    expect(snippets).toHaveLength(2);
    const [off, elsewhere] = snippets.map((b) => compile(spec(b.text)));
    expect(off?.rules.groups.some((g) => g.name === SELF_MONITORING_GROUP)).toBe(false);
    const group = elsewhere?.rules.groups.find((g) => g.name === SELF_MONITORING_GROUP);
    expect(group?.rules[1]?.annotations?.["runbook_url"]).toBe(
      "https://wiki.example.com/aiwatch/self-monitoring#aiwatchtargetdown",
    );
  });
});
