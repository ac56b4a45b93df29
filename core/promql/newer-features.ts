import type { Tree } from "@lezer/common";
import type { PromqlProblem } from "./parse-promql.js";

/**
 * The grammar follows the newest Prometheus; rules must load on the 2.42 floor. Syntax
 * that 2.42's parser rejects, by the grammar's node name, with what to write instead.
 */
const NEWER_NODES: Readonly<Record<string, string>> = {
  LimitK: "limitk is not in Prometheus 2.42 (added in 3.0); use topk or bottomk",
  LimitRatio: "limit_ratio is not in Prometheus 2.42 (added in 3.0)",
  AnchoredExpr: "the anchored modifier is not in Prometheus 2.42 (added in 3.x)",
  SmoothedExpr: "the smoothed modifier is not in Prometheus 2.42 (added in 3.x)",
  DurationStep: "step() in a duration is not in Prometheus 2.42 (added in 3.x)",
  QuotedLabelName:
    "quoted (UTF-8) metric and label names are not in Prometheus 2.42 (added in 3.0)",
};

const DURATION = /^(\d+(ms|[smhdwy]))+$/;

/** Problems with syntax newer than Prometheus 2.42, first one per construct, in text order. */
export function newerThanTarget(tree: Tree, expr: string): PromqlProblem[] {
  const problems: PromqlProblem[] = [];
  tree.iterate({
    enter(node) {
      const known = NEWER_NODES[node.name];
      if (known !== undefined) {
        problems.push({ message: known, offset: node.from });
        return false;
      }
      const text = expr.slice(node.from, node.to);
      // 2.42 takes a bare duration (offsets: optionally signed); parentheses, arithmetic
      // and step() came with 3.x's duration expressions.
      const inner = node.node.firstChild;
      const arithmetic =
        node.name === "DurationExpr"
          ? inner === null ||
            inner.nextSibling !== null ||
            inner.name !== "NumberDurationLiteralInDurationContext"
          : node.name === "OffsetDurationExpr" && node.node.getChild("DurationExpr") !== null;
      if (arithmetic) {
        problems.push({
          message:
            "duration expressions are not in Prometheus 2.42 (added in 3.x); write a duration such as 5m",
          offset: node.from,
        });
        return false;
      }
      if (node.name === "NumberDurationLiteralInDurationContext" && !DURATION.test(text)) {
        problems.push({
          message: `expected a duration such as 5m, got ${JSON.stringify(text)} (numbers as durations are not in Prometheus 2.42)`,
          offset: node.from,
        });
      }
      if (node.name === "NumberDurationLiteral" && DURATION.test(text)) {
        problems.push({
          message: `durations as numbers (${text}) are not in Prometheus 2.42 (added in 3.x); write seconds`,
          offset: node.from,
        });
      }
      return undefined;
    },
  });
  return problems;
}
