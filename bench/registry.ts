import type { Benchmark } from "./support/benchmark.js";
import { rulegenCompileBenchmark } from "./rulegen/compile.bench.js";
import { receiverAckBenchmark } from "./webhook-receiver/ack.bench.js";

/** Every benchmark `npm run bench` runs, in order. Add yours here. */
export const BENCHMARKS: readonly Benchmark[] = [rulegenCompileBenchmark, receiverAckBenchmark];
