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
  readonly hung: {
    readonly steps: number;
    readonly without_s: number;
    readonly with_s: number;
    readonly block_ratio_median: number;
    readonly step_us: number;
    readonly dropped_buffer_full: number;
  };
}

/**
 * DESIGN.md's Python client budgets, measured by clients/python/bench/bench_client.py
 * with Debian's python3 and torch (or $AIWATCH_PYTHON): `log()` p99 with 10 metrics
 * while the sender delivers to the real exporter (running here, in-process), beside a
 * bare deque append; and a real PyTorch CPU loop of 1M steps (AIWATCH_BENCH_PY_STEPS)
 * logging every step to an exporter that accepts and never answers (a socket here that
 * never reads), beside the same loop without logging, interleaved in blocks.
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
      log(
        `hung exporter: ${result.hung.steps} steps of ${result.hung.step_us.toFixed(1)} us; median block ratio ${result.hung.block_ratio_median.toFixed(4)}; ${result.hung.dropped_buffer_full} records dropped from the full buffer (counted)`,
      );
      const overhead = result.hung.with_s / result.hung.without_s;
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
          what: `training loop wall time, ${result.hung.steps} steps logged to a hung exporter`,
          value: result.hung.with_s,
          unit: "s",
          baselineName: "the same loop without logging",
          baseline: result.hung.without_s,
          budget: `< ${HUNG_OVERHEAD_BUDGET}x`,
          withinBudget: overhead < HUNG_OVERHEAD_BUDGET,
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
