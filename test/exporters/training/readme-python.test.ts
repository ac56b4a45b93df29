import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { requireBinaries } from "../../support/binaries.js";
import { repoPath } from "../../support/fixtures.js";
import { makeTempDir } from "../../support/temp-dir.js";
import { AUTH_CONFIG, TOKEN, sampleValue, scrape, startTestExporter } from "./exporter-harness.js";

/** The README's copy-paste Python snippet, run as printed against a real exporter. */
const { available, paths } = requireBinaries("python3");
const temp = makeTempDir("readme-python");
afterAll(() => temp.remove());

function readmePythonSnippet(): string {
  const readme = readFileSync(repoPath("docs", "training.md"), "utf8");
  const section = readme.slice(
    readme.indexOf("<!-- exporters/training:begin -->"),
    readme.indexOf("<!-- exporters/training:end -->"),
  );
  const block = /```python\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error("no python block in the README's training section");
  return block;
}

describe.skipIf(!available)("the README's Python snippet", () => {
  it("sends NaN losses and a finished status the exporter accepts", async () => {
    const exporter = await startTestExporter(
      temp.path,
      `${AUTH_CONFIG}collectors:\n  training: {}\n`,
    );
    try {
      const script = join(temp.path, "snippet.py");
      writeFileSync(
        script,
        `${readmePythonSnippet()}\n` +
          'print(aiwatch_log("py-run", "py-job", 10, loss=float("nan"), learning_rate=1e-4, note="skipped"))\n' +
          'print(aiwatch_log("py-run", "py-job", 20, loss=0.5, grad_norm=float("inf"), status="finished"))\n' +
          'print(aiwatch_send([{"run_id": "py-run", "job_name": "py-job", "step": -1}]))\n',
      );
      // Asynchronous: the exporter answering the script runs in this process.
      const result = await new Promise<{ status: number | null; stdout: string; stderr: string }>(
        (resolve) => {
          const child = spawn(paths.python3, [script], {
            env: { ...process.env, AIWATCH_URL: exporter.url, AIWATCH_INGEST_TOKEN: TOKEN },
          });
          let stdout = "";
          let stderr = "";
          child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
          child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
          child.on("close", (status) => resolve({ status, stdout, stderr }));
        },
      );
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      expect(result.stdout).toContain(
        "{'status': 'success', 'data': {'received': 1, 'accepted': 1}}",
      );
      expect(result.stdout).toContain("aiwatch refused records:");
      expect(result.stdout).toContain('"field":"step"');
      const text = await scrape(exporter.url);
      const run = 'run_id="py-run",job_name="py-job"';
      expect(
        sampleValue(text, `aiwatch_training_nonfinite_values_total{${run},metric="loss"}`),
      ).toBe(1);
      expect(sampleValue(text, `aiwatch_training_loss{${run},phase="train"}`)).toBe(0.5);
      expect(text).toContain(`aiwatch_training_grad_norm{${run}} +Inf`);
      expect(sampleValue(text, `aiwatch_training_run_status{${run},status="finished"}`)).toBe(1);
    } finally {
      await exporter.stop();
    }
  });
});
