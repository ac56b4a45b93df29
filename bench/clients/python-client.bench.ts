import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import type { Server, Socket } from "node:net";
import { join } from "node:path";
import { COLLECTORS } from "../../exporters/collectors.js";
import { startExporter } from "../../exporters/process/run-exporter.js";
import type { Benchmark, BenchRow } from "../support/benchmark.js";

const TOKEN = "bench-token";
const LOG_P99_BUDGET_US = 20;
const HUNG_OVERHEAD_BUDGET = 1.02;

interface PythonResult {
  readonly python: string;
  readonly torch: string;
  readonly log: {
    readonly p50_us: number;
    readonly p99_us: number;
    readonly max_us: number;
    readonly bare_p50_us: number;
    readonly bare_p99_us: number;
    readonly sent: number;
    readonly calls: number;
  };
  readonly loops: { readonly real: LoopResult; readonly toy: LoopResult };
}

type Arm = "none" | "least" | "up" | "hung";
type MeasuredArm = Exclude<Arm, "none">;

interface LoopResult {
  readonly model: string;
  readonly description: string;
  readonly steps: Readonly<Record<Arm, number>>;
  readonly blocks: number;
  /** Mean wall and loop-thread CPU time per step, in microseconds. */
  readonly step_us: Readonly<Record<Arm, number>>;
  readonly step_cpu_us: Readonly<Record<Arm, number>>;
  readonly seconds: Readonly<Record<Arm, number>>;
  readonly cpu_us_per_step: Readonly<Record<MeasuredArm, number>>;
  readonly wall_us_per_step: Readonly<Record<MeasuredArm, number>>;
  readonly wall: Readonly<Record<MeasuredArm, Ratio>>;
  readonly cpu: Readonly<Record<MeasuredArm, Ratio>>;
  readonly hung_dropped_buffer_full: number;
  readonly up_sent: number;
  readonly up_dropped: number;
}

interface Ratio {
  readonly total: number;
  readonly block_median: number;
}

/**
 * DESIGN.md's Python client budgets, measured by clients/python/bench/bench_client.py
 * with Debian's python3 and torch (or $AIWATCH_PYTHON): `log()` p99 with 10 metrics
 * while the sender delivers to the real exporter (running here, in-process), beside a
 * bare deque append; and a real PyTorch CPU training loop (an MLP classifying 8x8
 * digit images, batch 32, cross-entropy, Adam, one thread: about 200 us a step) of 1M
 * steps (AIWATCH_BENCH_PY_STEPS) logging 10 metrics every step to an exporter that
 * accepts and never answers (a socket here that never reads), beside the same loop
 * with no client, interleaved in blocks. The budget row is the loop's wall time, as
 * the issue states it; the loop thread's CPU time (which other processes on the
 * machine do not inflate) is beside it. Diagnostic arms on a fifth of the steps: the
 * exporter up, and the least any in-process logger does (the floor); and the same
 * arms on a toy step (Linear(8, 1)) that is nearly all Python overhead, where the
 * per-step cost in microseconds is the figure to read.
 */
export const pythonClientBenchmark: Benchmark = {
  id: "python-client",
  name: "Python client (clients/python)",
  part: "clients",
  async run({ scratchDir, log }) {
    const configFile = join(scratchDir, "exporter.yaml");
    writeFileSync(
      configFile,
      "auth:\n  bearer_tokens: [{ env: BENCH_TOKEN }]\ncollectors:\n  training: {}\n",
    );
    const exporter = await startExporter({
      configFile,
      listenAddress: "127.0.0.1:0",
      collectors: COLLECTORS,
      secrets: { env: { BENCH_TOKEN: TOKEN } },
      version: "bench",
      writeLog: () => undefined,
    });
    if ("diagnostics" in exporter) throw new Error("bench exporter config refused");
    const held: Socket[] = [];
    const hung = await listenHung(held);
    try {
      const address = hung.address();
      if (address === null || typeof address === "string") throw new Error("no hung address");
      const steps = process.env["AIWATCH_BENCH_PY_STEPS"] ?? "1000000";
      const result = await runPython(
        [
          "--exporter-url",
          exporter.url,
          "--hung-url",
          `http://127.0.0.1:${address.port}`,
          "--token",
          TOKEN,
          "--steps",
          steps,
        ],
        log,
      );
      log(
        `python ${result.python}, torch ${result.torch}; log(): p50 ${result.log.p50_us} us, max ${result.log.max_us} us over ${result.log.calls} calls (${result.log.sent} delivered, the rest dropped: the loop outran the exporter)`,
      );
      for (const loop of [result.loops.real, result.loops.toy]) logLoop(loop, log);
      const real = result.loops.real;
      const toy = result.loops.toy;
      const logged = "10 metrics logged per step";
      const perStep = (loop: LoopResult, arm: MeasuredArm, clock: "wall" | "CPU"): BenchRow => {
        const values = clock === "wall" ? loop.step_us : loop.step_cpu_us;
        const cost = clock === "wall" ? loop.wall_us_per_step : loop.cpu_us_per_step;
        return {
          what: `${loop.description}: ${clock} time per step, ${logged} ${ARM_WHAT[arm]}`,
          value: values[arm],
          unit: "us",
          baselineName: "the same loop with no client",
          baseline: values.none,
          note: `logging costs ${cost[arm].toFixed(2)} us per step; ${loop.steps[arm]} steps`,
        };
      };
      return [
        {
          what: "log() with 10 metrics, p99 per call",
          value: result.log.p99_us,
          unit: "us",
          baselineName: "deque.append p99",
          baseline: result.log.bare_p99_us,
          budget: `<= ${LOG_P99_BUDGET_US} us`,
          withinBudget: result.log.p99_us <= LOG_P99_BUDGET_US,
        },
        {
          what: `${real.description}: wall time of ${real.steps.hung} steps, ${logged} to a hung exporter`,
          value: real.seconds.hung,
          unit: "s",
          baselineName: "the same loop with no client",
          baseline: real.seconds.none,
          budget: `< ${HUNG_OVERHEAD_BUDGET}x`,
          withinBudget: real.wall.hung.total < HUNG_OVERHEAD_BUDGET,
          note: `per-block median ${real.wall.hung.block_median.toFixed(4)}x`,
        },
        perStep(real, "hung", "CPU"),
        perStep(real, "up", "wall"),
        perStep(real, "up", "CPU"),
        perStep(real, "least", "wall"),
        perStep(real, "least", "CPU"),
        perStep(toy, "hung", "wall"),
        perStep(toy, "hung", "CPU"),
        perStep(toy, "least", "CPU"),
      ];
    } finally {
      for (const socket of held) socket.destroy();
      hung.close();
      await exporter.stop();
    }
  },
};

const ARM_WHAT: Readonly<Record<MeasuredArm, string>> = {
  hung: "to a hung exporter",
  up: "to the running exporter",
  least: "by the least logger (loss.item() and a deque.append: the floor)",
};

function logLoop(loop: LoopResult, log: (line: string) => void): void {
  const show = (ratio: Ratio): string =>
    `${ratio.total.toFixed(4)}x (per-block median ${ratio.block_median.toFixed(4)}x)`;
  const arms: readonly MeasuredArm[] = ["hung", "up", "least"];
  log(
    `${loop.description}: ${loop.step_us.none.toFixed(1)} us a step (${loop.step_cpu_us.none.toFixed(1)} us CPU) with no client, ${loop.blocks} interleaved blocks; ` +
      arms
        .map(
          (arm) =>
            `${arm} (${loop.steps[arm]} steps): wall ${show(loop.wall[arm])}, CPU ${show(loop.cpu[arm])}, ${loop.wall_us_per_step[arm].toFixed(2)} us wall / ${loop.cpu_us_per_step[arm].toFixed(2)} us CPU per step`,
        )
        .join("; "),
  );
  log(
    `${loop.description}: hung exporter ${loop.hung_dropped_buffer_full} records dropped from the full buffer (counted); up: ${loop.up_sent} delivered, ${loop.up_dropped} dropped`,
  );
}

/** A listener that accepts connections and never reads or answers them. */
function listenHung(held: Socket[]): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      socket.pause();
      held.push(socket);
    });
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

/** Runs the Python bench asynchronously: the exporter it posts to lives in this process. */
function runPython(args: readonly string[], log: (line: string) => void): Promise<PythonResult> {
  const python = process.env["AIWATCH_PYTHON"] ?? "/usr/bin/python3";
  const script = join("clients", "python", "bench", "bench_client.py");
  return new Promise((resolve, reject) => {
    const child = spawn(python, [script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", (error) =>
      reject(
        new Error(`${python}: ${error.message} (install python3-torch: scripts/install-deps.sh)`),
      ),
    );
    child.on("close", (code) => {
      if (code !== 0) {
        reject(new Error(`${python} ${script} exited ${code}: ${stderr.slice(-2000)}`));
        return;
      }
      const line = stdout.trim().split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(line) as PythonResult);
      } catch {
        log(stderr.slice(-2000));
        reject(new Error(`unexpected output from ${script}: ${line.slice(0, 200)}`));
      }
    });
  });
}
