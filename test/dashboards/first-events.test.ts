import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runProcess } from "../../core/run-process.js";
import { xidEventsQuery } from "../../dashboards/catalog/gpu.js";
import { requireBinaries } from "../support/binaries.js";
import { makeTempDir } from "../support/temp-dir.js";

const { available, paths } = requireBinaries("promtool");
const temp = makeTempDir("first-events");
afterAll(() => temp.remove());

const GPU_A = 'instance="n1", job="gpu", pci_bus_id="00000000:00:09.0", gpu="0", uuid="GPU-a"';
const GPU_B = 'instance="n1", job="gpu", pci_bus_id="00000000:00:0A.0", gpu="1", uuid="GPU-b"';
const labelsOf = (labels: string, xid: string) => `{${labels}, xid="${xid}"}`;

/**
 * The GPU dashboard's XID panel, evaluated by Prometheus's own engine (promtool) on a
 * 15 s scrape: GPU a is watched from the start (its all-codes counter at 0) and logs its
 * first XID 79 at 5m, so the per-code counter is born at 1; GPU b appears at 5m with
 * three XID 13 from earlier in the boot, as when an exporter starts late.
 */
describe.skipIf(!available)("the XID panel counts a code's first event", () => {
  it("shows a first XID as 1 for one interval, and not the codes an exporter finds at its start", async () => {
    const query = xidEventsQuery("", "1m");
    const at = (evalTime: string, a: number | undefined, b?: number) => ({
      expr: query,
      eval_time: evalTime,
      exp_samples: [
        ...(a === undefined ? [] : [{ labels: labelsOf(GPU_A, "79"), value: a }]),
        ...(b === undefined ? [] : [{ labels: labelsOf(GPU_B, "13"), value: b }]),
      ],
    });
    const test = {
      rule_files: [],
      evaluation_interval: "15s",
      tests: [
        {
          interval: "15s",
          input_series: [
            { series: `aiwatch_gpu_xid_events_total{${GPU_A}}`, values: "0x19 1x20" },
            { series: `aiwatch_gpu_xid_errors_total${labelsOf(GPU_A, "79")}`, values: "_x20 1x20" },
            { series: `aiwatch_gpu_xid_events_total{${GPU_B}}`, values: "_x20 3x20" },
            { series: `aiwatch_gpu_xid_errors_total${labelsOf(GPU_B, "13")}`, values: "_x20 3x20" },
          ],
          promql_expr_test: [
            at("4m45s", undefined),
            // GPU b's three XIDs are not new: nothing is drawn for it until it has a past.
            at("5m", 1),
            at("5m30s", 1),
            at("5m45s", 1),
            at("6m30s", 0, 0),
            // What the panel drew before: increase() needs two samples, and those two
            // are both after the birth, so the first XID shows as 0.
            {
              expr: `increase(aiwatch_gpu_xid_errors_total{uuid="GPU-a"}[1m])`,
              eval_time: "5m30s",
              exp_samples: [{ labels: labelsOf(GPU_A, "79"), value: 0 }],
            },
          ],
        },
      ],
    };
    const file = join(temp.path, "first-events.test.yml");
    writeFileSync(file, stringify(test));
    const result = await runProcess(paths.promtool, ["test", "rules", file]);
    expect(result.stdout + result.stderr).toContain("SUCCESS");
    expect(result.exitCode).toBe(0);
  });
});
