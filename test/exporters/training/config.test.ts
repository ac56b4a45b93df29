import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatDiagnostics } from "../../../core/diagnostics/format.js";
import { COLLECTORS } from "../../../exporters/collectors.js";
import { loadExporterConfig } from "../../../exporters/process/run-exporter.js";
import { repoPath } from "../../support/fixtures.js";
import { makeTempDir } from "../../support/temp-dir.js";

const temp = makeTempDir("collector-config");
afterAll(() => temp.remove());

async function check(text: string): Promise<string> {
  const file = join(temp.path, "exporter.yaml");
  writeFileSync(file, text);
  const result = await loadExporterConfig(file, COLLECTORS, { env: { TOKEN: "x" } });
  return result.ok ? "ok" : formatDiagnostics(result.diagnostics).replaceAll(file, "exporter.yaml");
}

describe("training and inference config sections", () => {
  it("accepts the configuration docs/training.md shows (statistics and every tailer kind)", async () => {
    const docs = readFileSync(repoPath("docs", "training.md"), "utf8");
    const block = /```yaml\n([\s\S]*?)```/.exec(docs)?.[1] ?? "";
    expect(block).toContain("statistics:");
    expect(await check(`auth:\n  bearer_tokens: [{ env: TOKEN }]\n${block}`)).toBe("ok");
  });

  it("accepts the example config, with every collector enabled", async () => {
    const result = await loadExporterConfig(repoPath("examples", "exporter.yaml"), COLLECTORS, {
      env: { AIWATCH_INGEST_TOKEN: "x" },
    });
    expect(result.ok ? Object.keys(result.config.collectors) : result.diagnostics).toEqual([
      "training",
      "inference",
      "gpu",
      "drift",
    ]);
  });

  it("reports each mistake at its position", async () => {
    const text = [
      "auth: { bearer_tokens: [{ env: TOKEN }] }",
      "collectors:",
      "  training:",
      "    retention: { finished: 1hour }",
      "    tailers:",
      "      - { kind: hf_trainer_stat, path: out, job_name: j }",
      "      - { kind: keras_csv, path: a.log, job_name: j, seperator: ';' }",
      "      - { kind: json_lines, path: m.jsonl }",
      "      - { kind: json_lines, path: m.jsonl, job_name: j }",
      "  inference:",
      "    upstreams:",
      "      - { name: v, kind: vllm, url: 'ftp://x/metrics' }",
      "      - { name: v, kind: tgi, url: 'http://x/metrics' }",
      "      - { name: t, kind: triton, url: 'http://x:8002/metrics', scrape_interval: 5s, scrape_timeout: 10s }",
      "",
    ].join("\n");
    expect(await check(text)).toBe(
      [
        "exporter.yaml:4:28: error bad-duration: collectors.training.retention.finished: expected a Prometheus duration such as 30s, 5m, 1h30m or 1d",
        'exporter.yaml:6:17: error invalid-value: collectors.training.tailers[0].kind: expected one of "hf_trainer_state", "hf_log", "lightning_csv", "keras_csv", "json_lines", "megatron", "nanogpt", "regex", "mlflow", got "hf_trainer_stat" (did you mean "hf_trainer_state"?)',
        'exporter.yaml:7:54: error unknown-key: unknown key "seperator" in collectors.training.tailers[1] (did you mean "separator"?)',
        'exporter.yaml:8:9: error missing-key: missing required key "job_name" in collectors.training.tailers[2]',
        "exporter.yaml:12:37: error invalid-value: collectors.inference.upstreams[0].url: invalid URL",
        'exporter.yaml:13:26: error invalid-value: collectors.inference.upstreams[1].kind: expected "vllm", "triton" (one of), got "tgi"',
        "",
      ].join("\n"),
    );
  });

  it("runs the checks the schema cannot express once the schema passes", async () => {
    const text = [
      "auth: { bearer_tokens: [{ env: TOKEN }] }",
      "collectors:",
      "  training:",
      "    tailers:",
      "      - { kind: json_lines, path: m.jsonl, job_name: a }",
      "      - { kind: json_lines, path: m.jsonl, job_name: b }",
      "  inference:",
      "    upstreams:",
      "      - { name: v, kind: vllm, url: 'http://x/metrics' }",
      "      - { name: v, kind: triton, url: 'http://x:8002/metrics', scrape_interval: 5s, scrape_timeout: 10s }",
      "",
    ].join("\n");
    expect(await check(text)).toBe(
      [
        "exporter.yaml:6:9: error duplicate-tailer: tailers[1] follows the same json_lines as tailers[0] (json_lines:m.jsonl); give one a distinct name or remove it",
        "exporter.yaml:10:17: error duplicate-name: upstreams[1] has the same name as upstreams[0]: v",
        "exporter.yaml:10:101: error invalid-value: scrape_timeout 10s is longer than scrape_interval 5s",
        "",
      ].join("\n"),
    );
  });
});
