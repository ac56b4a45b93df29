import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { requireFixtures } from "../../support/fixtures.js";
import { makeTempDir } from "../../support/temp-dir.js";
import { waitFor } from "../../support/wait-for.js";
import { parseExposition, select, valueOf } from "./support/exposition-text.js";
import { firstPollEnded, startGpuExporter } from "./support/gpu-exporter.js";
import { nvidiaQueryTxtCase } from "./support/nvidia-replay.js";
import { writeExecutable, writeNvidiaSmiStandIn } from "./support/stand-in-tools.js";

const temp = makeTempDir("gpu-robust");
afterAll(() => temp.remove());

/** Alive and not a zombie (a killed child of a dead shell may wait for a reaper). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

const gpuConfig = (tool: string, extra = "") =>
  `interval: 2s\ntimeout: 1s\nnvidia_smi: { path: ${JSON.stringify(tool)} }\nxid: { enabled: false }\n${extra}`;

describe("a GPU tool that misbehaves", () => {
  it("is killed with its children when it hangs, while /metrics keeps answering and up says why", async () => {
    const pids = join(temp.path, "hung.pids");
    // A wrapper script whose child hangs, as a stuck driver call inside nvidia-smi would.
    const tool = writeExecutable(
      temp.path,
      "nvidia-smi-hung",
      `#!/bin/sh\nsleep 60 &\necho "$$ $!" > ${JSON.stringify(pids)}\nwait\n`,
    );
    const gpu = await startGpuExporter(temp.path, gpuConfig(tool));
    try {
      const [shell = 0, child = 0] = await waitFor("the hung tool to start", () =>
        existsSync(pids) && readFileSync(pids, "utf8").includes(" ")
          ? readFileSync(pids, "utf8").trim().split(" ").map(Number)
          : undefined,
      );
      // /metrics answers while the tool is still hanging: scrapes never wait for a poll.
      const during = parseExposition(await gpu.text());
      expect(isRunning(shell) && isRunning(child)).toBe(true);
      expect(valueOf(during, "aiwatch_exporter_collector_up", { collector: "gpu" })).toBe(0);

      // The poll ends at the 1 s timeout, not when the orphaned child would let go of the pipes.
      const after = await gpu.until(
        "the timeout to be reported",
        (s) =>
          (valueOf(s, "aiwatch_exporter_collector_errors_total", {
            collector: "gpu",
            reason: "timeout",
          }) ?? 0) >= 1
            ? s
            : undefined,
        15_000,
      );
      expect(valueOf(after, "aiwatch_exporter_collector_up", { collector: "gpu" })).toBe(0);
      expect(valueOf(after, "aiwatch_gpu_source_up", { source: "nvidia-smi" })).toBe(0);
      expect(
        valueOf(after, "aiwatch_gpu_source_errors_total", {
          source: "nvidia-smi",
          reason: "timeout",
        }),
      ).toBeGreaterThanOrEqual(1);
      await waitFor(
        "the hung tool and its child to be killed",
        () => (!isRunning(shell) && !isRunning(child) ? true : undefined),
        {
          timeoutMs: 10_000,
        },
      );
      expect(gpu.logs.join("")).toContain("no answer within 1000 ms (killed)");
    } finally {
      await gpu.exporter.stop();
    }
  });

  it("is killed when the exporter stops or reloads mid-read, instead of holding the stop up", async () => {
    const pids = join(temp.path, "stop.pids");
    const tool = writeExecutable(
      temp.path,
      "nvidia-smi-stuck",
      `#!/bin/sh\nsleep 600 &\necho "$$ $!" > ${JSON.stringify(pids)}\nwait\n`,
    );
    // A 5 minute timeout: only aborting the run can end it within the test's time.
    const gpu = await startGpuExporter(
      temp.path,
      `interval: 10m\ntimeout: 5m\nnvidia_smi: { path: ${JSON.stringify(tool)} }\nxid: { enabled: false }`,
    );
    const [shell = 0, child = 0] = await waitFor("the stuck tool to start", () =>
      existsSync(pids) && readFileSync(pids, "utf8").includes(" ")
        ? readFileSync(pids, "utf8").trim().split(" ").map(Number)
        : undefined,
    );
    await gpu.exporter.stop();
    await waitFor(
      "the stuck tool to be gone",
      () => (!isRunning(shell) && !isRunning(child) ? true : undefined),
      { timeoutMs: 10_000 },
    );
  });

  it("is stopped when it floods its output", async () => {
    const tool = writeExecutable(
      temp.path,
      "nvidia-smi-flood",
      "#!/bin/sh\nexec yes 0123456789abcdef\n",
    );
    const gpu = await startGpuExporter(
      temp.path,
      gpuConfig(tool, "").replace("timeout: 1s", "timeout: 1900ms"),
    );
    try {
      const series = await gpu.until("the failure", (s) => (firstPollEnded(s) ? s : undefined));
      expect(
        valueOf(series, "aiwatch_exporter_collector_errors_total", {
          collector: "gpu",
          reason: "output_limit",
        }),
      ).toBe(1);
    } finally {
      await gpu.exporter.stop();
    }
  });

  it("is reported as not_found when it is missing", async () => {
    const gpu = await startGpuExporter(temp.path, gpuConfig(join(temp.path, "no-such-nvidia-smi")));
    try {
      const series = await gpu.until("the failure", (s) => (firstPollEnded(s) ? s : undefined));
      expect(valueOf(series, "aiwatch_gpu_source_up", { source: "nvidia-smi" })).toBe(0);
      expect(
        valueOf(series, "aiwatch_exporter_collector_errors_total", {
          collector: "gpu",
          reason: "not_found",
        }),
      ).toBe(1);
      expect(valueOf(series, "aiwatch_exporter_collector_up", { collector: "gpu" })).toBe(0);
      expect(select(series, "aiwatch_gpu_info")).toEqual([]);
      expect(gpu.logs.join("")).toContain("not found (is the driver installed?)");
    } finally {
      await gpu.exporter.stop();
    }
  });

  it("is reported as exit_status with its message when it exits non-zero, and recovers when it works again", async () => {
    const tool = writeExecutable(
      temp.path,
      "nvidia-smi-no-driver",
      // What nvidia-smi prints when the kernel module is not loaded (exit status 9).
      `#!/bin/sh\necho "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running."\nexit 9\n`,
    );
    const gpu = await startGpuExporter(temp.path, gpuConfig(tool));
    try {
      const series = await gpu.until("the failure", (s) => (firstPollEnded(s) ? s : undefined));
      expect(
        valueOf(series, "aiwatch_exporter_collector_errors_total", {
          collector: "gpu",
          reason: "exit_status",
        }),
      ).toBe(1);
      expect(valueOf(series, "aiwatch_exporter_collector_up", { collector: "gpu" })).toBe(0);
      expect(gpu.logs.join("")).toContain(
        "exited with status 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver",
      );
    } finally {
      await gpu.exporter.stop();
    }
  });
});

const { available, dir: fixtures } = requireFixtures(
  "gpu/nvidia-smi-csv/exporter_testdata_query.txt",
);

describe.skipIf(!available)("odd answers from nvidia-smi", () => {
  it("drops a field the driver refuses (as older drivers do), retries, and says which", async () => {
    const c = nvidiaQueryTxtCase(fixtures);
    const log = join(temp.path, "refuse.log");
    const tool = writeNvidiaSmiStandIn(temp.path, "nvidia-smi-refusing", {
      ...c.replay,
      refuse: ["fan.speed", "compute_cap"],
      log,
    });
    const gpu = await startGpuExporter(temp.path, gpuConfig(tool));
    try {
      const series = await gpu.until("a reading", (s) =>
        valueOf(s, "aiwatch_gpu_source_up", { source: "nvidia-smi" }) === 1 ? s : undefined,
      );
      expect(valueOf(series, "aiwatch_gpu_nvidia_smi_refused_fields", { field: "fan.speed" })).toBe(
        1,
      );
      expect(
        valueOf(series, "aiwatch_gpu_nvidia_smi_refused_fields", { field: "compute_cap" }),
      ).toBe(1);
      expect(select(series, "aiwatch_gpu_fan_speed_ratio")).toEqual([]);
      expect(valueOf(series, "aiwatch_gpu_memory_used_bytes", { gpu: "1" })).toBe(1234 * 1048576);
      const queries = readFileSync(log, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as string[])
        .filter((args) => args[0]?.startsWith("--query-gpu="));
      expect(queries).toHaveLength(3);
      expect(queries[2]?.[0]).not.toMatch(/fan\.speed|compute_cap/);
    } finally {
      await gpu.exporter.stop();
    }
  });

  it("counts values that do not parse, a unit it does not know and a row it cannot split, and exports the rest", async () => {
    const c = nvidiaQueryTxtCase(fixtures);
    const [header = "", gpu0 = "", gpu1 = ""] = c.replay.queryGpu.split("\n");
    const odd = [
      header.replace("fan.speed [%]", "fan.speed [permille]"),
      gpu0.replace("575 MiB", "57.5.1 MiB"),
      gpu1,
      // A third GPU whose name has a comma: nvidia-smi does not quote, so the row is ambiguous.
      gpu1.replace("Some Other GPU", "Some, Other GPU").replace(/, 1$/, ", 2"),
    ].join("\n");
    const tool = writeNvidiaSmiStandIn(temp.path, "nvidia-smi-odd", {
      ...c.replay,
      queryGpu: odd,
      log: join(temp.path, "odd.log"),
    });
    const gpu = await startGpuExporter(temp.path, gpuConfig(tool));
    try {
      const series = await gpu.until("a reading", (s) =>
        valueOf(s, "aiwatch_gpu_source_up", { source: "nvidia-smi" }) === 1 ? s : undefined,
      );
      expect(select(series, "aiwatch_gpu_memory_used_bytes", { gpu: "0" })).toEqual([]);
      expect(valueOf(series, "aiwatch_gpu_memory_used_bytes", { gpu: "1" })).toBe(1234 * 1048576);
      expect(select(series, "aiwatch_gpu_fan_speed_ratio")).toEqual([]);
      expect(
        valueOf(series, "aiwatch_gpu_fields_not_exported", {
          field: "memory.used",
          reason: "invalid",
        }),
      ).toBe(1);
      expect(
        valueOf(series, "aiwatch_gpu_fields_not_exported", {
          field: "fan.speed",
          reason: "invalid",
        }),
      ).toBe(2);
      expect(
        valueOf(series, "aiwatch_exporter_rejected_records_total", {
          collector: "gpu",
          reason: "invalid_value",
        }),
      ).toBe(3);
      expect(
        valueOf(series, "aiwatch_exporter_rejected_records_total", {
          collector: "gpu",
          reason: "invalid_row",
        }),
      ).toBe(1);
      expect(select(series, "aiwatch_gpu_info", { gpu: "2" })).toEqual([]);
      expect(valueOf(series, "aiwatch_gpu_devices", { source: "nvidia-smi" })).toBe(2);
      expect(gpu.logs.join("")).toContain("line 4: expected 13 comma-separated values");
    } finally {
      await gpu.exporter.stop();
    }
  });
});
