import type { SyntaxNode } from "@lezer/common";
import { parser } from "@prometheus-io/lezer-promql";
import { unquotePromqlString } from "../../core/promql/parse-promql.js";
import { MONITOR_LABEL } from "../../spec/model/naming.js";
import { duration } from "../../core/promql/promql-text.js";
import type { RuleFilePlan } from "../plan/rule-plan.js";

export interface RecordingDefinition {
  readonly expr: string;
  /** The recording's group interval: the step of the subquery that replaces a range over it. */
  readonly intervalMs: number;
}

/** Recordings of a plan, keyed by `name|monitor` (names repeat across monitors). */
export function recordingsOf(plan: RuleFilePlan): Map<string, RecordingDefinition> {
  const out = new Map<string, RecordingDefinition>();
  for (const group of plan.groups)
    for (const rule of group.rules)
      if (rule.kind === "record")
        out.set(`${rule.record}|${rule.labels[MONITOR_LABEL] ?? ""}`, {
          expr: rule.expr,
          intervalMs: group.intervalMs,
        });
  return out;
}

/**
 * An expression with every recorded series it reads replaced by the recording's own
 * expression, so a Prometheus that never ran the rules can answer it over history: a
 * plain reference becomes `(expr)`, a range `rec[10m]` becomes the subquery
 * `(expr)[10m:interval]` at the recording group's interval. Recursive.
 */
export function inlineRecordings(
  expr: string,
  recordings: ReadonlyMap<string, RecordingDefinition>,
  depth = 0,
): string {
  if (depth > 16) throw new Error("recording rules nest too deeply to inline");
  const tree = parser.parse(expr);
  const edits: { from: number; to: number; text: string }[] = [];
  const visit = (node: SyntaxNode): void => {
    if (node.name === "MatrixSelector") {
      const selector = node.getChild("VectorSelector");
      const definition = selector ? recordingFor(selector, expr, recordings) : undefined;
      if (definition) {
        const rangeText = expr
          .slice(node.from, node.to)
          .replace(/^[\s\S]*\[/, "")
          .replace(/\]\s*$/, "");
        edits.push({
          from: node.from,
          to: node.to,
          text: `(${inlineRecordings(definition.expr, recordings, depth + 1)})[${rangeText.trim()}:${duration(definition.intervalMs)}]`,
        });
        return;
      }
    }
    if (node.name === "VectorSelector") {
      const definition = recordingFor(node, expr, recordings);
      if (definition) {
        edits.push({
          from: node.from,
          to: node.to,
          text: `(${inlineRecordings(definition.expr, recordings, depth + 1)})`,
        });
        return;
      }
    }
    for (let child = node.firstChild; child; child = child.nextSibling) visit(child);
  };
  visit(tree.topNode);
  let out = expr;
  for (const edit of edits.sort((a, b) => b.from - a.from))
    out = out.slice(0, edit.from) + edit.text + out.slice(edit.to);
  return out;
}

/** Keys (`name|monitor`) of the recordings an expression reads, directly. */
export function referencedRecordings(
  expr: string,
  recordings: ReadonlyMap<string, RecordingDefinition>,
): Set<string> {
  const keys = new Set<string>();
  const tree = parser.parse(expr);
  const visit = (node: SyntaxNode): void => {
    if (node.name === "VectorSelector") {
      const key = recordingKey(node, expr);
      if (key !== undefined && recordings.has(key)) keys.add(key);
    }
    for (let child = node.firstChild; child; child = child.nextSibling) visit(child);
  };
  visit(tree.topNode);
  return keys;
}

function recordingFor(
  selector: SyntaxNode,
  expr: string,
  recordings: ReadonlyMap<string, RecordingDefinition>,
): RecordingDefinition | undefined {
  const key = recordingKey(selector, expr);
  return key === undefined ? undefined : recordings.get(key);
}

function recordingKey(selector: SyntaxNode, expr: string): string | undefined {
  const identifier = selector.getChild("Identifier");
  if (!identifier) return undefined;
  const name = expr.slice(identifier.from, identifier.to);
  let monitor = "";
  const list = selector.getChild("LabelMatchers");
  for (let m = list?.firstChild; m; m = m.nextSibling) {
    const label = m.getChild("LabelName");
    const value = m.getChild("StringLiteral");
    if (label && value && expr.slice(label.from, label.to) === MONITOR_LABEL)
      monitor = unquotePromqlString(expr.slice(value.from, value.to));
  }
  return `${name}|${monitor}`;
}
