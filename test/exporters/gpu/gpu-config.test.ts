import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatDiagnostics } from "../../../core/diagnostics/format.js";
import { COLLECTORS } from "../../../exporters/collectors.js";
import { loadExporterConfig } from "../../../exporters/process/run-exporter.js";
import { repoPath } from "../../support/fixtures.js";
import { makeTempDir } from "../../support/temp-dir.js";

const temp = makeTempDir("gpu-config");
afterAll(() => temp.remove());
const secrets = { env: { AIWATCH_INGEST_TOKEN: "example-token" } };

async function errorsOf(yaml: string): Promise<string> {
  const file = join(temp.path, "exporter.yaml");
  writeFileSync(file, yaml);
  const result = await loadExporterConfig(file, COLLECTORS, secrets);
  return result.ok ? "" : formatDiagnostics(result.diagnostics).replaceAll(file, "exporter.yaml");
}

describe("collectors.gpu config", () => {
  it("accepts the example config, with defaults filled in", async () => {
    const result = await loadExporterConfig(
      repoPath("examples/exporter.yaml"),
      COLLECTORS,
      secrets,
    );
    expect(result.ok && result.config.collectors["gpu"]).toMatchObject({
      interval: "15s",
      timeout: "5s",
      nvidia_smi: { enabled: true, path: "nvidia-smi", mig: true, processes: false },
      rocm_smi: { enabled: false },
      xid: { enabled: true, source: "auto", kmsg_path: "/dev/kmsg" },
      dcgm: { enabled: false, model_name_label: false },
    });
  });

  it("refuses a timeout that is not shorter than the interval, at the timeout", async () => {
    expect(await errorsOf("collectors:\n  gpu:\n    interval: 10s\n    timeout: 10s\n")).toBe(
      "exporter.yaml:4:14: error invalid-value: timeout 10s must be shorter than interval 10s\n",
    );
  });

  it("names unknown keys with a suggestion, and bad values with what was expected", async () => {
    const errors = await errorsOf(
      "collectors:\n  gpu:\n    nvidia_smi: { pth: /usr/bin/nvidia-smi }\n    xid: { source: dmesg }\n    interval: soon\n",
    );
    expect(errors).toContain(
      'exporter.yaml:3:19: error unknown-key: unknown key "pth" in collectors.gpu.nvidia_smi (did you mean "path"?)',
    );
    expect(errors).toContain(
      'exporter.yaml:4:20: error invalid-value: collectors.gpu.xid.source: expected "auto", "kmsg", "journalctl" (one of), got "dmesg"',
    );
    expect(errors).toContain(
      "exporter.yaml:5:15: error bad-duration: collectors.gpu.interval: expected a Prometheus duration",
    );
  });
});
