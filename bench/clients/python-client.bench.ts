import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import type { Server, Socket } from "node:net";
import { join } from "node:path";
import { COLLECTORS } from "../../exporters/collectors.js";
import { startExporter } from "../../exporters/process/run-exporter.js";
import type { Benchmark } from "../support/benchmark.js";

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
  readonly loop: {
    readonly steps: number;
    readonly blocks: number;
    readonly step_us: number;
    readonly seconds: ArmSeconds;
    readonly cpu_seconds: ArmSeconds;
    readonly cpu_us_per_step: {
      readonly hung: number;
      readonly up: number;
      readonly least: number;
    };
    readonly wall: LoopRatios;
    readonly cpu: LoopRatios;
    readonly hung_dropped_buffer_full: number;
    readonly up_sent: number;
    readonly up_dropped: number;
  };
}

interface ArmSeconds {
  readonly none: number;
  readonly least: number;
  readonly up: number;
  readonly hung: number;
}

interface Ratio {
  readonly total: number;
  readonly block_median: number;
}

interface LoopRatios {
  readonly hung: Ratio;
  readonly up: Ratio;
  readonly least: Ratio;
}

/**
 * DESIGN.md's Python client budgets, measured by clients/python/bench/bench_client.py
 * with Debian's python3 and torch (or $AIWATCH_PYTHON): `log()` p99 with 10 metrics
 * while the sender delivers to the real exporter (running here, in-process), beside a
 * bare deque append; and a real PyTorch CPU loop of 1M steps (AIWATCH_BENCH_PY_STEPS)
 * logging 10 metrics every step to an exporter that accepts and never answers (a socket
 * here that never reads) and to the running exporter, beside the same loop with no
 * client, the three interleaved in blocks. The budget row is the loop's CPU time (the
 * loop thread's own, which other processes on the machine do not inflate); wall time is
 * logged beside it, and the exporter-up ratio tells overhead from noise.
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
      const loop = result.loop;
      const show = (ratio: Ratio): string =>
        `${ratio.total.toFixed(4)}x (per-block median ${ratio.block_median.toFixed(4)}x)`;
      log(
        `loop: ${loop.steps} steps of ${loop.step_us.toFixed(1)} us in ${loop.blocks} interleaved blocks; CPU time vs no client: hung ${show(loop.cpu.hung)}, up ${show(loop.cpu.up)}, least logger ${show(loop.cpu.least)}; wall time: hung ${show(loop.wall.hung)}, up ${show(loop.wall.up)}, least logger ${show(loop.wall.least)}`,
      );
      log(
        `logging costs the loop thread ${loop.cpu_us_per_step.hung.toFixed(2)} us of CPU per step with the exporter hung, ${loop.cpu_us_per_step.up.toFixed(2)} us with it up, ${loop.cpu_us_per_step.least.toFixed(2)} us for the least logger (reads the loss, appends to a deque); 2% of a step of ${(loop.cpu_us_per_step.hung * 50).toFixed(0)} us`,
      );
      log(
        `hung exporter: ${loop.hung_dropped_buffer_full} records dropped from the full buffer (counted); up: ${loop.up_sent} delivered, ${loop.up_dropped} dropped`,
      );
      const logged = `${loop.steps} steps, 10 metrics logged per step`;
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
          what: `training loop CPU time, ${logged} to a hung exporter`,
          value: loop.cpu_seconds.hung,
          unit: "s",
          baselineName: "the same loop with no client",
          baseline: loop.cpu_seconds.none,
          budget: `< ${HUNG_OVERHEAD_BUDGET}x`,
          withinBudget: loop.cpu.hung.total < HUNG_OVERHEAD_BUDGET,
        },
        {
          what: `training loop CPU time, ${logged} to the running exporter`,
          value: loop.cpu_seconds.up,
          unit: "s",
          baselineName: "the same loop with no client",
          baseline: loop.cpu_seconds.none,
          note: "for comparison: the cost of logging itself, exporter healthy",
        },
        {
          what: `training loop CPU time, ${logged}: exporter hung vs exporter up`,
          value: loop.cpu_seconds.hung,
          unit: "s",
          baselineName: "the same loop logging to the running exporter",
          baseline: loop.cpu_seconds.up,
          note: "what the exporter being hung adds to logging",
        },
        {
          what: `training loop CPU time, ${logged} by the least logger`,
          value: loop.cpu_seconds.least,
          unit: "s",
          baselineName: "the same loop with no client",
          baseline: loop.cpu_seconds.none,
          note: "the floor: loss.item() and a deque.append of the step's values, no client",
        },
        {
          what: `training loop wall time, ${logged} to a hung exporter`,
          value: loop.seconds.hung,
          unit: "s",
          baselineName: "the same loop with no client",
          baseline: loop.seconds.none,
          note: "wall time counts waits for a core on a busy machine",
        },
      ];
    } finally {
      for (const socket of held) socket.destroy();
      hung.close();
      await exporter.stop();
    }
  },
};

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
