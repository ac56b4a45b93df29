import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { runProcess } from "../../core/run-process.js";
import { numberLiteral } from "../../core/promql/promql-text.js";
import { parseAlertTemplate, renderAlertTemplate } from "../../rulegen/template/alert-template.js";
import { requireBinaries } from "../support/binaries.js";
import { makeTempDir } from "../support/temp-dir.js";

/**
 * Our rendering of alert templates must match Prometheus's exactly, or generated tests
 * would assert the wrong text. promtool renders the same templates for a set of awkward
 * values (ties, exponents, tiny and huge numbers) and must agree byte for byte.
 */
const VALUES = [
  0,
  1,
  -1,
  0.125,
  2.5,
  3.5,
  0.1 + 0.2,
  1 / 3,
  100,
  999.95,
  1234.5,
  123456.5,
  1234567,
  1e21,
  1.2345e-5,
  -0.0005,
  86399.5,
  90061,
  0.0015,
  59.99,
  1048576,
  1e-9,
  12.5,
  4.6,
  5,
];

const TEMPLATES: Record<string, string> = {
  raw: "{{ $value }}",
  humanize: "{{ $value | humanize }}",
  humanize1024: "{{ humanize1024 $value }}",
  duration: "{{ $value | humanizeDuration }}",
  percentage: "{{ humanizePercentage $value }}",
  fixed: '{{ printf "%.2f" $value }}',
  rounded: '{{ printf "%.0f" $value }}',
  general: '{{ printf "%.3g" $value }}',
  exponent: '{{ printf "%.2e" $value }}',
  labels: '{{ $labels.i | toUpper }}-{{ index $labels "i" }}-{{ .Labels.missing }}',
};

const { available, paths } = requireBinaries("promtool");
const temp = makeTempDir("fidelity");
afterAll(() => temp.remove());

describe.skipIf(!available)("alert template rendering matches Prometheus", () => {
  it("renders every value and function as promtool does", async () => {
    const rules = {
      groups: [
        { name: "fidelity", rules: [{ alert: "Fidelity", expr: "v", annotations: TEMPLATES }] },
      ],
    };
    const expAlerts = VALUES.map((value, i) => {
      const labels = { i: `v${i}` };
      const annotations = Object.fromEntries(
        Object.entries(TEMPLATES).map(([key, text]) => {
          const parsed = parseAlertTemplate(text);
          if (!parsed.ok) throw new Error(parsed.problem.message);
          return [key, renderAlertTemplate(parsed.template, { labels, externalLabels: {}, value })];
        }),
      );
      return { exp_labels: labels, exp_annotations: annotations };
    });
    const tests = {
      rule_files: ["rules.yml"],
      evaluation_interval: "1m",
      tests: [
        {
          interval: "1m",
          input_series: VALUES.map((value, i) => ({
            series: `v{i="v${i}"}`,
            values: numberLiteral(value),
          })),
          alert_rule_test: [{ eval_time: "0m", alertname: "Fidelity", exp_alerts: expAlerts }],
        },
      ],
    };
    writeFileSync(join(temp.path, "rules.yml"), stringify(rules));
    writeFileSync(join(temp.path, "tests.yml"), stringify(tests));
    const result = await runProcess(paths.promtool, ["test", "rules", "tests.yml"], {
      cwd: temp.path,
    });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
  });
});
