import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { formatDuration } from "../../../core/duration.js";
import { runProcess } from "../../../core/run-process.js";
import { intervalsFromObservations } from "../../../rulegen/backtest/firing-intervals.js";
import type { FiringInterval } from "../../../rulegen/backtest/firing-intervals.js";
import { parseFailedExpressionTests } from "../../../rulegen/backtest/promtool-output.js";
import { numberLiteral } from "../../../core/promql/promql-text.js";
import { YAML_OPTIONS } from "../../../rulegen/render/render-rule-file.js";

export interface ReplayInput {
  readonly series: string;
  readonly values: readonly number[];
}

/**
 * Replays series through a rule file in Prometheus's rule engine (`promtool test rules`,
 * the same way `aiwatch rules backtest` does) and returns when `alertSelector` fired.
 */
export async function replayThroughPromtool(
  promtool: string,
  dir: string,
  name: string,
  rules: string,
  inputs: readonly ReplayInput[],
  stepMs: number,
  evaluationIntervalMs: number,
  alertSelector: string,
): Promise<FiringInterval[]> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.rules.yml`), rules);
  const length = Math.max(...inputs.map((i) => i.values.length));
  const times: number[] = [];
  for (let t = 0; t < length * stepMs; t += evaluationIntervalMs) times.push(t);
  writeFileSync(
    join(dir, `${name}.test.yml`),
    stringify(
      {
        rule_files: [`${name}.rules.yml`],
        evaluation_interval: formatDuration(evaluationIntervalMs),
        tests: [
          {
            interval: formatDuration(stepMs),
            input_series: inputs.map((i) => ({
              series: i.series,
              values: i.values.map((v) => numberLiteral(Number(v.toPrecision(6)))).join(" "),
            })),
            promql_expr_test: times.map((t) => ({
              expr: alertSelector,
              eval_time: formatDuration(t),
              exp_samples: [],
            })),
          },
        ],
      },
      YAML_OPTIONS,
    ),
  );
  const result = await runProcess(promtool, ["test", "rules", `${name}.test.yml`], {
    cwd: dir,
    timeoutMs: 3_600_000,
  });
  const firing = parseFailedExpressionTests(result.stdout + result.stderr);
  if (result.exitCode !== 0 && firing.size === 0)
    throw new Error(`promtool failed on ${name}: ${result.stdout}${result.stderr}`);
  return intervalsFromObservations(times, firing, times[times.length - 1] ?? 0);
}
