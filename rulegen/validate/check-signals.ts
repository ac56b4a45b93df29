import { parsePromql } from "../../core/promql/parse-promql.js";
import type { ParsedPromql } from "../../core/promql/parse-promql.js";
import type { SpecDocument } from "../../spec/schema/spec-schema.js";
import type { SpecProblem } from "../../spec/diagnostics/problem.js";

export interface ParsedSignals {
  readonly problems: readonly SpecProblem[];
  /** Parsed signal per monitor index. */
  readonly signals: ReadonlyMap<number, ParsedPromql>;
}

/** Parses every signal once; later steps reuse the parse. */
export function checkSignals(spec: SpecDocument): ParsedSignals {
  const problems: SpecProblem[] = [];
  const signals = new Map<number, ParsedPromql>();
  spec.monitors.forEach((monitor, index) => {
    const parsed = parsePromql(monitor.signal);
    signals.set(index, parsed);
    const path = ["monitors", index, "signal"];
    for (const p of parsed.problems)
      problems.push({
        code: "invalid-promql",
        message: `signal: ${p.message}`,
        path,
        offset: p.offset,
      });
    if (parsed.problems.length === 0 && parsed.type !== "vector" && parsed.type !== "scalar") {
      problems.push({
        code: "invalid-promql",
        message: `signal must be an instant vector, got ${parsed.type === "matrix" ? "a range vector" : `a ${parsed.type ?? "value"}`}`,
        path,
      });
    }
  });
  return { problems, signals };
}
