import { appendFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SourceFailure } from "../../../exporters/gpu/tools/source-failure.js";
import { AutoKernelLogSource } from "../../../exporters/gpu/xid/auto-kernel-log-source.js";
import type { KernelLogSource } from "../../../exporters/gpu/xid/kernel-log-source.js";
import { KmsgSource } from "../../../exporters/gpu/xid/kmsg-source.js";
import { parseKernelMessage, pciKeyOf } from "../../../exporters/gpu/xid/parse-kernel-message.js";
import { requireFixtures } from "../../support/fixtures.js";
import { makeTempDir } from "../../support/temp-dir.js";
import { select, valueOf } from "./support/exposition-text.js";
import { firstPollEnded, startGpuExporter } from "./support/gpu-exporter.js";
import {
  AKASH_NODE,
  CAUSED_BY_PREVIOUS,
  DXVK_DESKTOP,
  FALLEN_OFF_THE_BUS,
  GPU_OPERATOR_WORKER,
  NOT_AN_XID,
  kmsgRecord,
} from "./support/kernel-log-lines.js";
import { nvidiaQueryTxtCase } from "./support/nvidia-replay.js";
import { writeJournalctlStandIn, writeNvidiaSmiStandIn } from "./support/stand-in-tools.js";

const temp = makeTempDir("gpu-xid");
afterAll(() => temp.remove());
const ALL_LINES = [
  ...AKASH_NODE,
  ...DXVK_DESKTOP,
  ...GPU_OPERATOR_WORKER,
  CAUSED_BY_PREVIOUS,
  FALLEN_OFF_THE_BUS,
  ...NOT_AN_XID,
];

describe("XID lines", () => {
  it("reads the code and PCI address of every recorded XID line, and nothing from other lines", () => {
    for (const line of ALL_LINES) {
      const parsed = parseKernelMessage(line.text);
      if (line.xid === undefined)
        expect(parsed?.kind === "xid" ? line.text : undefined).toBeUndefined();
      else
        expect(parsed).toEqual({
          kind: "xid",
          pciAddress: line.pci,
          pciKey: pciKeyOf(line.pci ?? ""),
          xid: line.xid,
        });
    }
    // "caused by previous Xid 149" is not an XID 149.
    expect(parseKernelMessage(CAUSED_BY_PREVIOUS.text)).toMatchObject({ xid: 45 });
    expect(
      parseKernelMessage("NVRM: GPU at PCI:0000:00:07: GPU-3b6ec030-5adc-1847-e155-79f635584b4e"),
    ).toEqual({
      kind: "gpu",
      pciKey: "0:0:7",
      uuid: "GPU-3b6ec030-5adc-1847-e155-79f635584b4e",
    });
  });

  it("matches the kernel's short PCI address to nvidia-smi's", () => {
    expect(pciKeyOf("0000:3b:00")).toBe(pciKeyOf("00000000:3B:00.0"));
    expect(pciKeyOf("0000:3b:00")).not.toBe(pciKeyOf("00000000:3C:00.0"));
  });
});

describe("/dev/kmsg reading", () => {
  it("reads records since boot, dates them, skips continuation lines, and returns only new ones", async () => {
    const file = join(temp.path, "kmsg-unit");
    const records = DXVK_DESKTOP.map((line, i) =>
      kmsgRecord(100 + i, 5_000_000 + i * 1000, line.text),
    );
    // The last record is cut mid-way, as a reader may see a file being written.
    const whole = records.join("");
    const cut = whole.length - (records[records.length - 1] ?? "").length + 30;
    writeFileSync(file, whole.slice(0, cut));
    const source = new KmsgSource(file, () => 1_700_000_000_000);
    const first = await source.readNew();
    expect(first.messages.map((m) => m.text)).toEqual(DXVK_DESKTOP.slice(0, -1).map((l) => l.text));
    expect(first.messages[0]?.timeMs).toBe(1_700_000_000_000 + 5000);
    appendFileSync(file, whole.slice(cut));
    const second = await source.readNew();
    expect(second.messages.map((m) => m.text)).toEqual([
      DXVK_DESKTOP[DXVK_DESKTOP.length - 1]?.text,
    ]);
    expect((await source.readNew()).messages).toEqual([]);
    source.close();
  });

  it("fails with not_found for a missing device", async () => {
    const source = new KmsgSource(join(temp.path, "no-such-kmsg"), () => 0);
    await expect(source.readNew()).rejects.toMatchObject({ code: "ENOENT" });
  });
});

const { available, dir: fixtures } = requireFixtures(
  "gpu/nvidia-smi-csv/exporter_testdata_query.txt",
);

/** nvidia_gpu_exporter's two-GPU CSV: GPU 0 at 00000000:01:00.0, GPU 1 at 00000000:02:00.0. */
function twoGpuNvidiaSmi(name: string): string {
  const c = nvidiaQueryTxtCase(fixtures);
  return writeNvidiaSmiStandIn(temp.path, name, {
    ...c.replay,
    log: join(temp.path, `${name}.log`),
  });
}
const GPU0 = {
  gpu: "0",
  uuid: "GPU-df6e7a7c-7314-46f8-abc4-b88b36dcf3aa",
  pci_bus_id: "00000000:01:00.0",
};
const GPU1 = {
  gpu: "1",
  uuid: "GPU-04757e3e-3077-4e2e-b988-7e2d647b52e9",
  pci_bus_id: "00000000:02:00.0",
};

describe.skipIf(!available)("XID counters through the exporter", () => {
  it("counts kernel-log XIDs per GPU and code from /dev/kmsg, with the GPUs' labels, and keeps counting", async () => {
    const kmsg = join(temp.path, "kmsg");
    let seq = 0;
    const write = (lines: readonly { text: string }[]) =>
      appendFileSync(kmsg, lines.map((l) => kmsgRecord(seq++, 1_000_000 * seq, l.text)).join(""));
    writeFileSync(kmsg, "");
    write([...AKASH_NODE, ...DXVK_DESKTOP.slice(0, 3), ...NOT_AN_XID]);
    const nvidia = twoGpuNvidiaSmi("nvidia-smi-kmsg");
    const gpu = await startGpuExporter(
      temp.path,
      `interval: 1s\ntimeout: 900ms\nnvidia_smi: { path: ${JSON.stringify(nvidia)} }\nxid: { source: kmsg, kmsg_path: ${JSON.stringify(kmsg)} }\ndcgm: { enabled: true }`,
      { bootTimeMs: () => 1_700_000_000_000 },
    );
    try {
      const first = await gpu.until("XIDs of the first poll", (s) =>
        valueOf(s, "aiwatch_gpu_xid_events_total", GPU0) === 2 ? s : undefined,
      );
      expect(valueOf(first, "aiwatch_gpu_source_up", { source: "kernel_log" })).toBe(1);
      // GPU 0: XID 31 then XID 13 (the third DXVK line). GPU 1 has none yet, and says so with a 0.
      expect(valueOf(first, "aiwatch_gpu_xid_errors_total", { ...GPU0, xid: "31" })).toBe(1);
      expect(valueOf(first, "aiwatch_gpu_xid_errors_total", { ...GPU0, xid: "13" })).toBe(1);
      expect(valueOf(first, "aiwatch_gpu_xid_last_code", GPU0)).toBe(13);
      expect(valueOf(first, "aiwatch_gpu_xid_events_total", GPU1)).toBe(0);
      expect(select(first, "aiwatch_gpu_xid_errors_total", GPU1)).toEqual([]);
      // GPUs nvidia-smi does not list keep the kernel's address and the UUID the driver announced.
      const unlisted = {
        gpu: "",
        uuid: "GPU-efbdfde9-5798-a6e7-4c46-12518fa15375",
        pci_bus_id: "0000:00:05",
      };
      expect(valueOf(first, "aiwatch_gpu_xid_errors_total", { ...unlisted, xid: "43" })).toBe(2);
      expect(
        valueOf(first, "aiwatch_gpu_xid_errors_total", { pci_bus_id: "0000:00:08", xid: "94" }),
      ).toBe(1);
      // Record 6 (0-based) of the first batch is XID 31 on 00:07, logged 7 s after boot.
      expect(
        valueOf(first, "aiwatch_gpu_xid_last_timestamp_seconds", { pci_bus_id: "0000:00:07" }),
      ).toBe(1_700_000_007);
      expect(
        select(first, "aiwatch_gpu_xid_errors_total").reduce((sum, s) => sum + s.value, 0),
      ).toBe(6);
      // dcgm-exporter's gauge holds the last code, 0 for a GPU without one.
      expect(valueOf(first, "DCGM_FI_DEV_XID_ERRORS", { gpu: "0" })).toBe(13);
      expect(valueOf(first, "DCGM_FI_DEV_XID_ERRORS", { gpu: "1" })).toBe(0);

      write([
        ...DXVK_DESKTOP.slice(3),
        ...GPU_OPERATOR_WORKER,
        CAUSED_BY_PREVIOUS,
        FALLEN_OFF_THE_BUS,
      ]);
      const later = await gpu.until("the appended XIDs", (s) =>
        valueOf(s, "aiwatch_gpu_xid_events_total", GPU0) === 4 ? s : undefined,
      );
      expect(valueOf(later, "aiwatch_gpu_xid_errors_total", { ...GPU0, xid: "13" })).toBe(2);
      expect(valueOf(later, "aiwatch_gpu_xid_errors_total", { ...GPU0, xid: "32" })).toBe(1);
      expect(valueOf(later, "DCGM_FI_DEV_XID_ERRORS", { gpu: "0" })).toBe(32);
      expect(
        valueOf(later, "aiwatch_gpu_xid_errors_total", { pci_bus_id: "0000:07:00", xid: "48" }),
      ).toBe(1);
      expect(
        valueOf(later, "aiwatch_gpu_xid_errors_total", { pci_bus_id: "0000:dc:00", xid: "45" }),
      ).toBe(1);
      expect(select(later, "aiwatch_gpu_xid_errors_total", { xid: "149" })).toEqual([]);
      expect(
        valueOf(later, "aiwatch_gpu_xid_errors_total", { pci_bus_id: "0000:44:00", xid: "79" }),
      ).toBe(1);
      expect(valueOf(later, "aiwatch_gpu_kernel_log_lost_records_total")).toBe(0);
    } finally {
      await gpu.exporter.stop();
    }
  });

  it("reads journalctl -k when that is the source, continuing from its cursor", async () => {
    const messages = join(temp.path, "journal-messages");
    const log = join(temp.path, "journalctl.log");
    writeFileSync(
      messages,
      DXVK_DESKTOP.slice(0, 2)
        .map((l) => `${l.text}\n`)
        .join(""),
    );
    const journalctl = writeJournalctlStandIn(
      temp.path,
      messages,
      join(temp.path, "deny-none"),
      log,
    );
    const nvidia = twoGpuNvidiaSmi("nvidia-smi-journal");
    const gpu = await startGpuExporter(
      temp.path,
      `interval: 1s\ntimeout: 900ms\nnvidia_smi: { path: ${JSON.stringify(nvidia)} }\nxid: { source: journalctl, journalctl_path: ${JSON.stringify(journalctl)} }`,
    );
    try {
      const first = await gpu.until("the journal's XID", (s) =>
        valueOf(s, "aiwatch_gpu_xid_events_total", GPU0) === 1 ? s : undefined,
      );
      // journald's own timestamp of the entry (the stand-in's second entry, i=1).
      expect(valueOf(first, "aiwatch_gpu_xid_last_timestamp_seconds", GPU0)).toBe(1_700_000_001);
      appendFileSync(messages, `${DXVK_DESKTOP[4]?.text ?? ""}\n`);
      await gpu.until("the appended journal entry", (s) =>
        valueOf(s, "aiwatch_gpu_xid_events_total", GPU0) === 2 ? s : undefined,
      );
      const runs = readFileSync(log, "utf8")
        .trim()
        .split("\n")
        .map((l) => (JSON.parse(l) as string[]).slice(5)[0]);
      expect(runs[0]).toBe("-b");
      expect(runs.slice(1)).toContain("--after-cursor=s=0;i=1");
    } finally {
      await gpu.exporter.stop();
    }
  });

  it("keeps collecting GPU metrics without permission to read the kernel log, says so in up and errors, and recovers", async () => {
    const messages = join(temp.path, "journal-denied");
    const deny = join(temp.path, "deny-marker");
    writeFileSync(messages, `${DXVK_DESKTOP[1]?.text ?? ""}\n`);
    writeFileSync(deny, "");
    const journalctl = writeJournalctlStandIn(
      temp.path,
      messages,
      deny,
      join(temp.path, "journalctl-denied.log"),
    );
    const nvidia = twoGpuNvidiaSmi("nvidia-smi-denied");
    const gpu = await startGpuExporter(
      temp.path,
      // /dev/kmsg is readable here (tests run as root), so auto mode is pointed at a missing one.
      `interval: 1s\ntimeout: 900ms\nnvidia_smi: { path: ${JSON.stringify(nvidia)} }\nxid: { kmsg_path: ${JSON.stringify(join(temp.path, "no-kmsg"))}, journalctl_path: ${JSON.stringify(journalctl)} }`,
    );
    try {
      const denied = await gpu.until("the permission failure", (s) =>
        (valueOf(s, "aiwatch_exporter_collector_errors_total", {
          collector: "gpu",
          reason: "permission_denied",
        }) ?? 0) >= 1
          ? s
          : undefined,
      );
      expect(valueOf(denied, "aiwatch_exporter_collector_up", { collector: "gpu" })).toBe(0);
      expect(valueOf(denied, "aiwatch_gpu_source_up", { source: "kernel_log" })).toBe(0);
      expect(
        valueOf(denied, "aiwatch_gpu_source_errors_total", {
          source: "kernel_log",
          reason: "permission_denied",
        }),
      ).toBeGreaterThanOrEqual(1);
      expect(valueOf(denied, "aiwatch_gpu_source_up", { source: "nvidia-smi" })).toBe(1);
      expect(valueOf(denied, "aiwatch_gpu_memory_used_bytes", { gpu: "0" })).toBe(575 * 1048576);
      // No XID series at all: a 0 would claim "no errors" where the collector cannot see.
      expect(select(denied, "aiwatch_gpu_xid_events_total")).toEqual([]);
      expect(gpu.logs.join("")).toContain("not seeing messages from other users and the system");

      rmSync(deny);
      const granted = await gpu.until("recovery once permitted", (s) =>
        valueOf(s, "aiwatch_exporter_collector_up", { collector: "gpu" }) === 1 ? s : undefined,
      );
      expect(valueOf(granted, "aiwatch_gpu_xid_events_total", GPU0)).toBe(1);
    } finally {
      await gpu.exporter.stop();
    }
  });

  it("reports permission_denied when /dev/kmsg refuses and journalctl is missing", async () => {
    const refusing: KernelLogSource = {
      name: "kmsg",
      readNew: () =>
        Promise.reject(
          Object.assign(new Error("EACCES: permission denied, open '/dev/kmsg'"), {
            code: "EACCES",
          }),
        ),
      close: () => undefined,
    };
    const missing: KernelLogSource = {
      name: "journalctl",
      readNew: () => Promise.reject(new SourceFailure("not_found", "journalctl: not found")),
      close: () => undefined,
    };
    await expect(new AutoKernelLogSource([refusing, missing]).readNew()).rejects.toMatchObject({
      reason: "permission_denied",
    });
    const nvidia = twoGpuNvidiaSmi("nvidia-smi-injected");
    const gpu = await startGpuExporter(
      temp.path,
      `interval: 1h\ntimeout: 10s\nnvidia_smi: { path: ${JSON.stringify(nvidia)} }`,
      { kernelLog: () => new AutoKernelLogSource([refusing, missing]) },
    );
    try {
      const series = await gpu.until("the first poll", (s) => (firstPollEnded(s) ? s : undefined));
      expect(valueOf(series, "aiwatch_gpu_source_up", { source: "kernel_log" })).toBe(0);
      expect(
        valueOf(series, "aiwatch_exporter_collector_errors_total", {
          collector: "gpu",
          reason: "permission_denied",
        }),
      ).toBe(1);
      expect(valueOf(series, "aiwatch_gpu_source_up", { source: "nvidia-smi" })).toBe(1);
    } finally {
      await gpu.exporter.stop();
    }
  });
});
