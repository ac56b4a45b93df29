import {
  goSprintf,
  humanize,
  humanize1024,
  humanizeDuration,
  humanizePercentage,
} from "./prometheus-template-functions.js";
import { formatGoFloat } from "./go-number-format.js";

/**
 * The subset of Go's text/template that Prometheus alert annotations use in practice:
 * text, `$value`/`.Value`, `$labels.x`/`.Labels.x`, `$externalLabels.x`, string and number
 * literals, pipelines and the value-formatting functions. Generated promtool tests must
 * state each annotation exactly as Prometheus renders it, so templates are parsed here,
 * checked for types, and rendered with the same formatting Go uses.
 */
export type TemplateValueKind = "number" | "string" | "labels";

type Operand =
  | { readonly kind: "value" }
  | { readonly kind: "labels"; readonly source: "labels" | "externalLabels" }
  | { readonly kind: "label"; readonly source: "labels" | "externalLabels"; readonly name: string }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "number"; readonly value: number };

interface Command {
  readonly fn?: TemplateFunctionName;
  readonly args: readonly Operand[];
}

type TemplateNode =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "action"; readonly pipeline: readonly Command[] };

export interface AlertTemplate {
  readonly nodes: readonly TemplateNode[];
}

export type TemplateProblemCode = "invalid-template" | "unsupported-template";

export interface TemplateProblem {
  readonly code: TemplateProblemCode;
  readonly message: string;
  /** Offset into the template text where the problem starts. */
  readonly offset: number;
}

export type ParsedTemplate =
  | { readonly ok: true; readonly template: AlertTemplate }
  | { readonly ok: false; readonly problem: TemplateProblem };

interface FunctionSignature {
  readonly params: readonly TemplateValueKind[];
  readonly returns: TemplateValueKind;
  readonly variadic?: boolean;
}

const FUNCTIONS = {
  humanize: { params: ["number"], returns: "string" },
  humanize1024: { params: ["number"], returns: "string" },
  humanizeDuration: { params: ["number"], returns: "string" },
  humanizePercentage: { params: ["number"], returns: "string" },
  toUpper: { params: ["string"], returns: "string" },
  toLower: { params: ["string"], returns: "string" },
  title: { params: ["string"], returns: "string" },
  index: { params: ["labels", "string"], returns: "string" },
  printf: { params: ["string"], returns: "string", variadic: true },
} as const satisfies Record<string, FunctionSignature>;

type TemplateFunctionName = keyof typeof FUNCTIONS;

export const SUPPORTED_TEMPLATE_SYNTAX =
  "text, {{ $value }}, {{ $labels.NAME }}, {{ $externalLabels.NAME }}, string and number literals, " +
  "pipelines, and the functions " +
  Object.keys(FUNCTIONS).join(", ");

export function parseAlertTemplate(text: string): ParsedTemplate {
  const nodes: TemplateNode[] = [];
  let position = 0;
  let pendingText = "";
  let trimNextText = false;
  while (position < text.length) {
    const open = text.indexOf("{{", position);
    if (open < 0) {
      pendingText += trimNextText ? text.slice(position).trimStart() : text.slice(position);
      break;
    }
    let chunk = text.slice(position, open);
    if (trimNextText) chunk = chunk.trimStart();
    const trimBefore =
      text.startsWith("{{- ", open) ||
      text.startsWith("{{-\t", open) ||
      text.startsWith("{{-\n", open);
    if (trimBefore) chunk = chunk.trimEnd();
    pendingText += chunk;
    const close = findActionEnd(text, open + 2);
    if (close < 0) return problem("invalid-template", "unclosed action: missing }}", open);
    const trimAfter = close >= 2 && /[ \t\n]-$/.test(text.slice(close - 2, close));
    const innerStart = open + (trimBefore ? 3 : 2);
    const innerEnd = trimAfter ? close - 2 : close;
    const inner = text.slice(innerStart, innerEnd).trim();
    trimNextText = trimAfter;
    position = close + 2;
    if (inner.startsWith("/*")) {
      if (!inner.endsWith("*/")) return problem("invalid-template", "unclosed comment", open);
      continue;
    }
    const pipeline = parsePipeline(
      inner,
      innerStart + (text.slice(innerStart).length - text.slice(innerStart).trimStart().length),
    );
    if (!pipeline.ok) return pipeline;
    if (pendingText !== "") nodes.push({ kind: "text", text: pendingText });
    pendingText = "";
    nodes.push({ kind: "action", pipeline: pipeline.commands });
  }
  if (pendingText !== "") nodes.push({ kind: "text", text: pendingText });
  return { ok: true, template: { nodes } };
}

function findActionEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    } else if (c === "`") {
      i = text.indexOf("`", i + 1);
      if (i < 0) return -1;
    } else if (c === "}" && text[i + 1] === "}") return i;
    i++;
  }
  return -1;
}

type PipelineResult =
  | { readonly ok: true; readonly commands: readonly Command[] }
  | { readonly ok: false; readonly problem: TemplateProblem };

function parsePipeline(inner: string, baseOffset: number): PipelineResult {
  const tokens = tokenize(inner, baseOffset);
  if (!Array.isArray(tokens)) return { ok: false, problem: tokens };
  if (tokens.length === 0) return problem("invalid-template", "empty action {{ }}", baseOffset);
  const commands: Command[] = [];
  let current: Token[] = [];
  const flush = (offset: number): TemplateProblem | undefined => {
    if (current.length === 0)
      return { code: "invalid-template", message: "empty command in pipeline", offset };
    const [head, ...rest] = current;
    if (!head) return undefined;
    if (head.kind === "word") {
      if (!(head.text in FUNCTIONS)) {
        return {
          code: "unsupported-template",
          message: `"${head.text}" is not supported in aiwatch templates (supported: ${SUPPORTED_TEMPLATE_SYNTAX})`,
          offset: head.offset,
        };
      }
      const args: Operand[] = [];
      for (const token of rest) {
        const operand = toOperand(token);
        if ("code" in operand) return operand;
        args.push(operand);
      }
      commands.push({ fn: head.text as TemplateFunctionName, args });
    } else {
      if (rest.length > 0 && rest[0]) {
        return {
          code: "invalid-template",
          message: "a value cannot take arguments",
          offset: rest[0].offset,
        };
      }
      const operand = toOperand(head);
      if ("code" in operand) return operand;
      commands.push({ args: [operand] });
    }
    current = [];
    return undefined;
  };
  for (const token of tokens) {
    if (token.kind === "pipe") {
      const failure = flush(token.offset);
      if (failure) return { ok: false, problem: failure };
    } else current.push(token);
  }
  const failure = flush(baseOffset + inner.length);
  if (failure) return { ok: false, problem: failure };
  const typeProblem = checkTypes(commands, baseOffset);
  if (typeProblem) return { ok: false, problem: typeProblem };
  return { ok: true, commands };
}

interface Token {
  readonly kind: "word" | "variable" | "field" | "string" | "number" | "pipe";
  readonly text: string;
  readonly offset: number;
}

function tokenize(inner: string, baseOffset: number): Token[] | TemplateProblem {
  const tokens: Token[] = [];
  let i = 0;
  while (i < inner.length) {
    const c = inner[i] ?? "";
    const offset = baseOffset + i;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "|") {
      tokens.push({ kind: "pipe", text: "|", offset });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < inner.length && inner[j] !== '"') j += inner[j] === "\\" ? 2 : 1;
      if (j >= inner.length)
        return { code: "invalid-template", message: "unterminated string", offset };
      tokens.push({ kind: "string", text: inner.slice(i, j + 1), offset });
      i = j + 1;
    } else if (c === "`") {
      const j = inner.indexOf("`", i + 1);
      if (j < 0) return { code: "invalid-template", message: "unterminated raw string", offset };
      tokens.push({ kind: "string", text: inner.slice(i, j + 1), offset });
      i = j + 1;
    } else {
      const match =
        /^(\$?[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*|\.[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*|[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)/.exec(
          inner.slice(i),
        );
      if (!match?.[0]) {
        return {
          code: "unsupported-template",
          message: `unexpected "${c}" (supported: ${SUPPORTED_TEMPLATE_SYNTAX})`,
          offset,
        };
      }
      const text = match[0];
      const kind = text.startsWith("$")
        ? "variable"
        : text.startsWith(".")
          ? "field"
          : /^[-+\d]/.test(text)
            ? "number"
            : "word";
      tokens.push({ kind, text, offset });
      i += text.length;
    }
  }
  return tokens;
}

function toOperand(token: Token): Operand | TemplateProblem {
  switch (token.kind) {
    case "string":
      return { kind: "string", value: unquote(token.text) };
    case "number":
      return { kind: "number", value: Number(token.text) };
    case "variable":
    case "field": {
      const parts = token.text.replace(/^\$/, "").replace(/^\./, "").split(".");
      const [root, name, ...extra] = parts;
      const roots: Record<string, "value" | "labels" | "externalLabels"> = {
        value: "value",
        Value: "value",
        labels: "labels",
        Labels: "labels",
        externalLabels: "externalLabels",
        ExternalLabels: "externalLabels",
      };
      const expectsDollar =
        token.kind === "variable" ? /^[a-z]/.test(root ?? "") : /^[A-Z]/.test(root ?? "");
      const source = root !== undefined && expectsDollar ? roots[root] : undefined;
      if (!source || extra.length > 0 || (source === "value" && name !== undefined)) {
        return {
          code: "unsupported-template",
          message: `"${token.text}" is not supported in aiwatch templates (supported: ${SUPPORTED_TEMPLATE_SYNTAX})`,
          offset: token.offset,
        };
      }
      if (source === "value") return { kind: "value" };
      return name === undefined ? { kind: "labels", source } : { kind: "label", source, name };
    }
    default:
      return {
        code: "invalid-template",
        message: `unexpected "${token.text}"`,
        offset: token.offset,
      };
  }
}

function operandKind(operand: Operand): TemplateValueKind {
  switch (operand.kind) {
    case "value":
    case "number":
      return "number";
    case "labels":
      return "labels";
    default:
      return "string";
  }
}

function checkTypes(commands: readonly Command[], offset: number): TemplateProblem | undefined {
  let piped: TemplateValueKind | undefined;
  for (const command of commands) {
    const argKinds = command.args.map(operandKind);
    if (piped !== undefined) argKinds.push(piped);
    if (!command.fn) {
      piped = argKinds[0];
      continue;
    }
    const signature: FunctionSignature = FUNCTIONS[command.fn];
    const arity = signature.params.length;
    if (signature.variadic ? argKinds.length < arity : argKinds.length !== arity) {
      return {
        code: "invalid-template",
        message: `${command.fn} takes ${arity}${signature.variadic ? " or more" : ""} argument(s), got ${argKinds.length}`,
        offset,
      };
    }
    for (let i = 0; i < arity; i++) {
      if (argKinds[i] !== signature.params[i]) {
        return {
          code: "invalid-template",
          message: `${command.fn} expects a ${signature.params[i]} as argument ${i + 1}, got a ${argKinds[i]} (Prometheus 2.42 fails to render this)`,
          offset,
        };
      }
    }
    if (command.fn === "printf") {
      const format = command.args[0];
      if (format?.kind === "string" && /%[-+ 0#]*\d+/.test(format.value.replace(/%%/g, ""))) {
        return {
          code: "unsupported-template",
          message: "printf widths and flags are not supported; use a precision such as %.2f",
          offset,
        };
      }
    }
    piped = signature.returns;
  }
  return undefined;
}

function unquote(text: string): string {
  if (text.startsWith("`")) return text.slice(1, -1);
  return JSON.parse(text) as string;
}

function problem(
  code: TemplateProblemCode,
  message: string,
  offset: number,
): { ok: false; problem: TemplateProblem } {
  return { ok: false, problem: { code, message, offset } };
}

export interface TemplateData {
  readonly labels: Readonly<Record<string, string>>;
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly value: number;
}

type RuntimeValue = string | number | Readonly<Record<string, string>>;

/** Renders as Prometheus does (missing labels render empty: Prometheus uses missingkey=zero). */
export function renderAlertTemplate(template: AlertTemplate, data: TemplateData): string {
  return template.nodes
    .map((node) =>
      node.kind === "text" ? node.text : printValue(runPipeline(node.pipeline, data)),
    )
    .join("");
}

function runPipeline(commands: readonly Command[], data: TemplateData): RuntimeValue {
  let piped: RuntimeValue | undefined;
  for (const command of commands) {
    const args: RuntimeValue[] = command.args.map((a) => evaluateOperand(a, data));
    if (piped !== undefined) args.push(piped);
    piped = command.fn ? callFunction(command.fn, args) : args[0];
  }
  return piped ?? "";
}

function evaluateOperand(operand: Operand, data: TemplateData): RuntimeValue {
  switch (operand.kind) {
    case "value":
      return data.value;
    case "number":
      return operand.value;
    case "string":
      return operand.value;
    case "labels":
      return operand.source === "labels" ? data.labels : data.externalLabels;
    case "label":
      return (operand.source === "labels" ? data.labels : data.externalLabels)[operand.name] ?? "";
  }
}

function callFunction(fn: TemplateFunctionName, args: readonly RuntimeValue[]): RuntimeValue {
  const num = (i: number): number => Number(args[i]);
  const str = (i: number): string => {
    const arg = args[i];
    return typeof arg === "object" ? printValue(arg) : String(arg);
  };
  switch (fn) {
    case "humanize":
      return humanize(num(0));
    case "humanize1024":
      return humanize1024(num(0));
    case "humanizeDuration":
      return humanizeDuration(num(0));
    case "humanizePercentage":
      return humanizePercentage(num(0));
    case "toUpper":
      return str(0).toUpperCase();
    case "toLower":
      return str(0).toLowerCase();
    case "title":
      return str(0).replace(
        /(^|[^\p{L}\p{N}_'])(\p{L})/gu,
        (_m, sep: string, ch: string) => sep + ch.toUpperCase(),
      );
    case "index": {
      const labels = args[0];
      return typeof labels === "object" ? (labels[str(1)] ?? "") : "";
    }
    case "printf":
      return goSprintf(
        str(0),
        args.slice(1).map((a) => (typeof a === "object" ? printValue(a) : a)),
      );
  }
}

function printValue(value: RuntimeValue): string {
  if (typeof value === "number") return formatGoFloat(value, "v");
  if (typeof value === "string") return value;
  const entries = Object.keys(value)
    .sort()
    .map((k) => `${k}:${value[k] ?? ""}`);
  return `map[${entries.join(" ")}]`;
}

/** Text that renders literally even when it contains `{{` (PromQL can, in theory). */
export function escapeTemplateText(text: string): string {
  return text.replace(/\{\{|\}\}/g, (m) => `{{ "${m}" }}`);
}
