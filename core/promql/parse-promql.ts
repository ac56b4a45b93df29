import type { SyntaxNode } from "@lezer/common";
import { parser } from "@prometheus-io/lezer-promql";
import { PROMQL_FUNCTIONS } from "./function-signatures.js";
import type { ValueType } from "./function-signatures.js";
import { newerThanTarget } from "./newer-features.js";

export interface PromqlProblem {
  readonly message: string;
  /** Offset into the expression text. */
  readonly offset: number;
}

export type MatchOperator = "=" | "!=" | "=~" | "!~";

export interface LabelMatcher {
  readonly name: string;
  readonly op: MatchOperator;
  readonly value: string;
}

/** Present when the whole expression is one plain vector selector (no offset, no @). */
export interface VectorSelectorInfo {
  readonly metricName: string | undefined;
  readonly matchers: readonly LabelMatcher[];
}

export interface ParsedPromql {
  readonly problems: readonly PromqlProblem[];
  readonly type: ValueType | undefined;
  readonly selector: VectorSelectorInfo | undefined;
}

/**
 * Parses PromQL with the Prometheus project's own grammar and adds the type checks the
 * grammar leaves to the engine (`rate(x)` parses, but Prometheus rejects it).
 */
export function parsePromql(expr: string): ParsedPromql {
  const tree = parser.parse(expr);
  const syntaxProblems: PromqlProblem[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError && syntaxProblems.length === 0) {
        const token = /^\S{1,24}/.exec(expr.slice(node.from))?.[0];
        // The grammar knows function names; `nope(x)` fails at its parenthesis.
        const before = expr.slice(0, node.from);
        const inLabelList = /\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*$/.test(
          before,
        );
        const unknownFunction =
          token?.startsWith("(") && !inLabelList
            ? /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(before)?.[1]
            : undefined;
        if (unknownFunction !== undefined && !(unknownFunction in PROMQL_FUNCTIONS)) {
          syntaxProblems.push({
            message: `unknown function "${unknownFunction}" (not in Prometheus 2.42)`,
            offset: node.from - unknownFunction.length,
          });
          return;
        }
        syntaxProblems.push({
          message:
            token === undefined
              ? "unexpected end of expression"
              : `unexpected ${JSON.stringify(token)}`,
          offset: node.from,
        });
      }
    },
  });
  if (expr.trim() === "")
    return {
      problems: [{ message: "empty expression", offset: 0 }],
      type: undefined,
      selector: undefined,
    };
  if (syntaxProblems.length > 0)
    return { problems: syntaxProblems, type: undefined, selector: undefined };
  const root = tree.topNode.firstChild;
  if (!root)
    return {
      problems: [{ message: "empty expression", offset: 0 }],
      type: undefined,
      selector: undefined,
    };
  const newer = newerThanTarget(tree, expr);
  if (newer.length > 0) return { problems: newer, type: undefined, selector: undefined };
  const typeProblems: PromqlProblem[] = [];
  const type = inferType(root, expr, typeProblems);
  return {
    problems: typeProblems,
    type,
    selector: root.name === "VectorSelector" ? describeSelector(root, expr) : undefined,
  };
}

function inferType(node: SyntaxNode, expr: string, problems: PromqlProblem[]): ValueType {
  switch (node.name) {
    case "NumberDurationLiteral":
    case "NumberLiteral":
      return "scalar";
    case "StringLiteral":
      return "string";
    case "VectorSelector":
      return "vector";
    case "MatrixSelector":
    case "SubqueryExpr": {
      const inner = node.firstChild;
      if (inner && node.name === "SubqueryExpr")
        expectType(inner, "vector", expr, problems, "a subquery");
      return "matrix";
    }
    case "ParenExpr":
    case "OffsetExpr":
    case "StepInvariantExpr":
    case "UnaryExpr": {
      const inner = childExpressions(node)[0];
      return inner ? inferType(inner, expr, problems) : "vector";
    }
    case "BinaryExpr": {
      const [left, right] = childExpressions(node);
      const types = [left, right].map((side) =>
        side ? inferType(side, expr, problems) : "vector",
      );
      [left, right].forEach((side, i) => {
        if (side && (types[i] === "matrix" || types[i] === "string")) {
          problems.push({
            message: `binary expressions need instant vectors or scalars, got ${describe(types[i])}`,
            offset: side.from,
          });
        }
      });
      return types.includes("vector") ? "vector" : "scalar";
    }
    case "AggregateExpr": {
      const body = node.getChild("FunctionCallBody");
      const args = body ? childExpressions(body) : [];
      const last = args[args.length - 1];
      if (last)
        expectType(
          last,
          "vector",
          expr,
          problems,
          `the ${expr.slice(node.from, node.from + 20).split(/[\s(]/)[0] ?? ""} aggregation`,
        );
      return "vector";
    }
    case "FunctionCall":
      return inferFunctionCall(node, expr, problems);
    default:
      return "vector";
  }
}

function inferFunctionCall(node: SyntaxNode, expr: string, problems: PromqlProblem[]): ValueType {
  const identifier = node.getChild("FunctionIdentifier");
  const name = identifier ? expr.slice(identifier.from, identifier.to) : "";
  const signature = PROMQL_FUNCTIONS[name];
  const body = node.getChild("FunctionCallBody");
  const args = body ? childExpressions(body) : [];
  if (!signature) {
    problems.push({
      message: `unknown function "${name}" (not in Prometheus 2.42)`,
      offset: node.from,
    });
    return "vector";
  }
  const required = signature.args.filter((a) => !a.endsWith("?") && !a.endsWith("*")).length;
  const variadic = signature.args.some((a) => a.endsWith("*"));
  if (args.length < required || (!variadic && args.length > signature.args.length)) {
    problems.push({
      message: `${name}() takes ${required === signature.args.length ? required : `${required} to ${signature.args.length}`} argument(s), got ${args.length}`,
      offset: node.from,
    });
    return signature.returns;
  }
  args.forEach((arg, i) => {
    const declared = signature.args[Math.min(i, signature.args.length - 1)] ?? "v";
    const wanted = declared.replace(/[?*]$/, "");
    const type: ValueType =
      wanted === "m"
        ? "matrix"
        : wanted === "s"
          ? "scalar"
          : wanted === "str"
            ? "string"
            : "vector";
    expectType(arg, type, expr, problems, `argument ${i + 1} of ${name}()`);
  });
  return signature.returns;
}

function expectType(
  node: SyntaxNode,
  wanted: ValueType,
  expr: string,
  problems: PromqlProblem[],
  what: string,
): void {
  const actual = inferType(node, expr, problems);
  if (actual !== wanted) {
    const hint = wanted === "matrix" && actual === "vector" ? " (add a range such as [5m])" : "";
    problems.push({
      message: `${what} must be ${describe(wanted)}, got ${describe(actual)}${hint}`,
      offset: node.from,
    });
  }
}

/** "an instant vector", "a scalar". */
function describe(type: ValueType | undefined): string {
  const noun = describeType(type);
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

function describeType(type: ValueType | undefined): string {
  switch (type) {
    case "matrix":
      return "range vector";
    case "vector":
      return "instant vector";
    default:
      return type ?? "value";
  }
}

const NON_EXPRESSIONS = new Set([
  "AggregateOp",
  "AggregateModifier",
  "FunctionIdentifier",
  "BinModifiers",
  "BoolModifier",
  "OnOrIgnoring",
  "GroupingLabels",
  "MatchingModifierClause",
  "Offset",
  "OffsetDurationExpr",
  "At",
  "AtModifierPreprocessors",
  "DurationExpr",
  "Sub",
  "Add",
  "Mul",
  "Div",
  "Mod",
  "Pow",
  "Eql",
  "Neq",
  "Lte",
  "Lss",
  "Gte",
  "Gtr",
  "And",
  "Or",
  "Unless",
  "Atan2",
  "Bool",
  "GroupLeft",
  "GroupRight",
  "On",
  "Ignoring",
  "LabelMatchers",
  "Identifier",
]);

function childExpressions(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (!NON_EXPRESSIONS.has(child.name) && !child.type.isError && !/^[()[\],:]$/.test(child.name))
      out.push(child);
  }
  return out;
}

function describeSelector(node: SyntaxNode, expr: string): VectorSelectorInfo {
  const identifier = node.getChild("Identifier");
  let metricName = identifier ? expr.slice(identifier.from, identifier.to) : undefined;
  const matchers: LabelMatcher[] = [];
  const list = node.getChild("LabelMatchers");
  for (let m = list?.firstChild; m; m = m.nextSibling) {
    if (m.name !== "UnquotedLabelMatcher" && m.name !== "QuotedLabelMatcher") continue;
    const nameNode = m.getChild("LabelName") ?? m.getChild("QuotedLabelName");
    const opNode = m.getChild("MatchOp");
    const valueNode = m.getChild("StringLiteral");
    if (!nameNode || !opNode || !valueNode) continue;
    const rawName = expr.slice(nameNode.from, nameNode.to);
    const name = rawName.startsWith('"') ? unquotePromqlString(rawName) : rawName;
    const op = expr.slice(opNode.from, opNode.to) as MatchOperator;
    const value = unquotePromqlString(expr.slice(valueNode.from, valueNode.to));
    if (name === "__name__" && op === "=") metricName = value;
    else matchers.push({ name, op, value });
  }
  return { metricName, matchers };
}

/** PromQL strings: double- or single-quoted with Go escapes, or backtick-raw. */
export function unquotePromqlString(text: string): string {
  if (text.startsWith("`")) return text.slice(1, -1);
  if (text.startsWith("'")) {
    const inner = text.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"');
    return JSON.parse(`"${inner}"`) as string;
  }
  return JSON.parse(text) as string;
}
