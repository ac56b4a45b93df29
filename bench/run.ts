import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { BENCHMARKS } from "./registry.js";
import type { BenchRow } from "./support/benchmark.js";

/**
 * `npm run bench [-- NAME...]`: runs every benchmark (or those whose name contains one of
 * the arguments) and prints each measurement beside its baseline, with the ratio and the
 * budget from DESIGN.md. Exit code 1 if any budget is missed.
 */
const filters = process.argv.slice(2);
const selected = BENCHMARKS.filter(
  (b) => filters.length === 0 || filters.some((f) => b.id.includes(f) || b.part === f),
);
if (selected.length === 0) {
  console.error(
    `no benchmark matches ${filters.join(", ")}; ids: ${BENCHMARKS.map((b) => b.id).join(", ")}`,
  );
  process.exit(2);
}
console.log(
  `aiwatch benchmarks on ${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, node ${process.version}\n`,
);

let missed = 0;
for (const benchmark of selected) {
  const scratchDir = mkdtempSync(join(tmpdir(), "aiwatch-bench-"));
  console.log(`## ${benchmark.part}: ${benchmark.name}`);
  try {
    const rows = await benchmark.run({ log: (line) => console.log(`   ${line}`), scratchDir });
    for (const row of rows) {
      console.log(formatRow(row));
      if (row.withinBudget === false) missed++;
    }
  } catch (error) {
    missed++;
    console.log(`   FAILED: ${(error as Error).stack ?? String(error)}`);
  } finally {
    rmSync(scratchDir, { recursive: true, force: true });
  }
  console.log("");
}
console.log(missed === 0 ? "all budgets met" : `${missed} budget(s) missed or benchmark(s) failed`);
process.exitCode = missed === 0 ? 0 : 1;

function formatRow(row: BenchRow): string {
  const value = `${format(row.value)} ${row.unit}`;
  const baseline =
    row.baseline !== undefined
      ? `  vs ${row.baselineName ?? "baseline"} ${format(row.baseline)} ${row.unit}  ratio ${format(row.value / row.baseline)}x`
      : "";
  const budget = row.budget ? `  budget ${row.budget}: ${row.withinBudget ? "ok" : "MISSED"}` : "";
  return ` - ${row.what}: ${value}${baseline}${budget}${row.note ? `  (${row.note})` : ""}`;
}

function format(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3);
}
