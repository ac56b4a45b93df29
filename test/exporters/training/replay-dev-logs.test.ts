import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../../cli/main.js";
import { requireBinaries } from "../../support/binaries.js";
import { repoPath, requireFixtures } from "../../support/fixtures.js";

/**
 * The done-when of the training presets: every documented incident of the real logs in
 * ../shared/fixtures/training-dev (PROVENANCE.md there) fires, at the incident's own
 * step, at the first evaluation after the first scrape that follows it; the runs without
 * incidents stay silent; at scrape intervals of 5s, 15s and 60s. The presets are the
 * shipped ones (examples/training.yaml), with no per-file setting.
 */
const fixtures = requireFixtures("training-dev/PROVENANCE.md");
const { available: binaries } = requireBinaries("promtool");
const available = fixtures.available && binaries;

interface Incident {
  readonly alert: string;
  /** The step PROVENANCE.md documents. */
  readonly step: number;
  /** Logged steps the first event may come after it (0: at that very step). */
  readonly within: number;
}

interface DevLog {
  readonly file: string;
  /** llm.c's log files carry no time: a GPT-2 124M step on 8xH100 takes ~0.1s. */
  readonly stepTime?: string;
  readonly incidents: readonly Incident[];
}

const spikes = (alert: string, steps: readonly number[]): Incident[] =>
  steps.map((step) => ({ alert, step, within: 0 }));

const LOGS: readonly DevLog[] = [
  {
    file: "KellerJordan_modded-nanogpt__adamw-baseline-2024-06-06.log",
    stepTime: "100ms",
    incidents: [],
  },
  { file: "KellerJordan_modded-nanogpt__fp8downproj-record-2026-07-17-clean.txt", incidents: [] },
  {
    file: "microsoft_Megatron-DeepSpeed__moe-gpt3-125m-tokendrop-fp16-interrupted.log",
    incidents: [],
  },
  {
    file: "KellerJordan_modded-nanogpt__llmc-gpt2-124m-baseline-2024-10-13.log",
    stepTime: "100ms",
    incidents: spikes("TrainingGradNormSpike", [7435, 9025, 9954]),
  },
  {
    file: "KellerJordan_modded-nanogpt__modernarch-record-2024-10-14-train-loss.txt",
    incidents: spikes("TrainingLossSpike", [919, 947, 1760, 3092, 3194, 3473, 3656, 5086]),
  },
  {
    file: "KellerJordan_modded-nanogpt__quantizedfp4-2024-11-14-loss-spikes.txt",
    incidents: spikes(
      "TrainingLossSpike",
      [201, 265, 524, 889, 1830, 2186, 2263, 2906, 3027, 3086, 3201, 3240],
    ),
  },
  {
    file: "KellerJordan_modded-nanogpt__mtp-record-2025-12-22-val-every-10.txt",
    incidents: [{ alert: "TrainingEvalRegression", step: 670, within: 0 }],
  },
  {
    file: "bigscience-workshop_bigscience__gpt2-52b-meg-ds-3d-n16-ds-off-divergence.out",
    incidents: [
      { alert: "TrainingLossSpike", step: 3, within: 0 },
      // "rises steadily from iter 32": +12% over its minimum (11.65) by iter 35, and the
      // level is the median of 7 steps, so a sustained rise shows 3-4 steps later.
      { alert: "TrainingLossDiverging", step: 32, within: 10 },
    ],
  },
  {
    file: "bigscience-workshop_bigscience__gpt2-52b-meg-ds-3d-n16-ds-on-spike.out",
    incidents: [{ alert: "TrainingLossSpike", step: 3, within: 0 }],
  },
  {
    file: "bigscience-workshop_bigscience__gpt2-meg-n32-fp16-overflow-skips.out",
    incidents: [
      { alert: "TrainingLossScaleCollapse", step: 10, within: 0 },
      { alert: "TrainingLossSpike", step: 30, within: 0 },
    ],
  },
];

interface ReplayJson {
  readonly alerts: readonly {
    readonly alertname: string;
    readonly firedAtMs: number;
    readonly resolvedAtMs?: number;
    readonly events: readonly { readonly step: number; readonly atMs: number }[];
  }[];
}

async function replay(log: DevLog, interval: string): Promise<ReplayJson> {
  let out = "";
  let err = "";
  const args = [
    "training",
    "replay",
    join(fixtures.dir, "training-dev", log.file),
    "--spec",
    repoPath("examples", "training.yaml"),
    "--scrape-interval",
    interval,
    "--evaluation-interval",
    interval,
    "--output",
    "json",
    ...(log.stepTime ? ["--step-time", log.stepTime] : []),
  ];
  const code = await runCli(args, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    cwd: repoPath(),
    env: process.env,
  });
  expect(code, err).toBe(0);
  expect(err).toBe("");
  return JSON.parse(out) as ReplayJson;
}

const INTERVALS = [
  { text: "5s", ms: 5_000 },
  { text: "15s", ms: 15_000 },
  { text: "60s", ms: 60_000 },
];

describe.skipIf(!available)("training presets on the real dev logs", () => {
  for (const log of LOGS) {
    for (const interval of INTERVALS) {
      const title =
        log.incidents.length === 0
          ? `${log.file} at ${interval.text}: no alert (no incident)`
          : `${log.file} at ${interval.text}: ${log.incidents.map((i) => `${i.alert}@${i.step}`).join(", ")}`;
      it(
        title,
        async () => {
          const report = await replay(log, interval.text);
          // Only the alerts of the documented incidents, nothing else.
          expect([...new Set(report.alerts.map((a) => a.alertname))].sort()).toEqual(
            [...new Set(log.incidents.map((i) => i.alert))].sort(),
          );
          for (const incident of log.incidents) {
            const own = report.alerts.filter((a) => a.alertname === incident.alert);
            const event = own
              .flatMap((a) => a.events)
              .filter((e) => e.step >= incident.step)
              .sort((a, b) => a.step - b.step)[0];
            expect(
              event,
              `${incident.alert}: no event at or after step ${incident.step}`,
            ).toBeDefined();
            if (!event) continue;
            expect(event.step - incident.step).toBeLessThanOrEqual(incident.within);
            // Firing at the first evaluation after the first scrape that follows the step.
            const scraped = Math.ceil(event.atMs / interval.ms) * interval.ms;
            expect(
              own.some(
                (a) =>
                  a.firedAtMs <= scraped &&
                  (a.resolvedAtMs === undefined || a.resolvedAtMs > scraped),
              ),
              `${incident.alert} not firing at ${scraped}ms, the first scrape after step ${event.step}`,
            ).toBe(true);
          }
        },
        120_000,
      );
    }
  }
});
