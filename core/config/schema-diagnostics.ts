import type { z } from "zod";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { formatFieldPath } from "../diagnostics/format.js";
import type { SourceDocument } from "../yaml/source-document.js";
import { closestMatch } from "./closest-match.js";
import { allowedKeysAt } from "./schema-walk.js";

export type SchemaDiagnosticCode =
  "unknown-key" | "missing-key" | "wrong-type" | "invalid-value" | "bad-duration";

/**
 * A custom zod check can choose its diagnostic code by passing `params: { code }`;
 * everything else is mapped from zod's own issue kinds.
 */
export interface CodedParams {
  readonly code: string;
}

export type SchemaValidation<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** Validates a parsed document against a schema and reports every problem at its position. */
export function validateAgainstSchema<S extends z.ZodType>(
  document: SourceDocument,
  schema: S,
): SchemaValidation<z.output<S>> {
  const result = schema.safeParse(document.value, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  const diagnostics = result.error.issues.flatMap((issue) =>
    issueToDiagnostics(document, schema, issue),
  );
  return { ok: false, diagnostics };
}

type Issue = z.core.$ZodIssue;

function issueToDiagnostics(
  document: SourceDocument,
  schema: z.ZodType,
  issue: Issue,
): Diagnostic[] {
  const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
  const where = path.length > 0 ? formatFieldPath(path) : "the document";
  const at = (code: string, message: string, position = document.positionOf(path)): Diagnostic => ({
    code,
    severity: "error",
    message,
    file: document.file,
    position,
    path,
  });

  if (
    issue.code !== "unrecognized_keys" &&
    issue.code !== "custom" &&
    path.length > 0 &&
    !hasPath(document.value, path)
  ) {
    const parent = path.slice(0, -1);
    return [
      at(
        "missing-key",
        `missing required key "${String(path[path.length - 1])}" in ${parent.length > 0 ? formatFieldPath(parent) : "the document"}`,
        document.positionOf(parent),
      ),
    ];
  }

  switch (issue.code) {
    case "unrecognized_keys": {
      const allowed = allowedKeysAt(schema, document.value, path);
      return issue.keys.map((key) => {
        const suggestion = allowed ? closestMatch(key, allowed) : undefined;
        const hint = suggestion
          ? ` (did you mean "${suggestion}"?)`
          : allowed && allowed.length > 0
            ? ` (expected one of: ${allowed.join(", ")})`
            : "";
        return {
          ...at("unknown-key", `unknown key "${key}" in ${where}${hint}`),
          position: document.keyPositionOf([...path, key]),
          path: [...path, key],
        };
      });
    }
    case "invalid_type": {
      // zod's own messages start "Invalid input"; a schema's custom message says more.
      const expected = issue.message.startsWith("Invalid input")
        ? describeExpected(issue.expected)
        : issue.message.replace(/^expected /, "");
      return [
        at("wrong-type", `${where}: expected ${expected}, got ${describeValue(issue.input)}`),
      ];
    }
    case "invalid_value": {
      // A schema's own message is a hint (zod's default one only repeats the values).
      const custom = issue.message.startsWith("Invalid ") ? undefined : issue.message;
      const suggestion =
        typeof issue.input === "string" && issue.values.length > 1
          ? closestMatch(issue.input, issue.values.map(String))
          : undefined;
      const hint = custom ?? (suggestion ? `did you mean "${suggestion}"?` : undefined);
      return [
        at(
          "invalid-value",
          `${where}: expected ${issue.values.map((v) => JSON.stringify(v)).join(", ")}${
            issue.values.length > 1 ? " (one of)" : ""
          }, got ${describeValue(issue.input)}${hint ? ` (${hint})` : ""}`,
        ),
      ];
    }
    case "invalid_union": {
      if ("discriminator" in issue && typeof issue.discriminator === "string") {
        const options = (issue as { options?: unknown[] }).options ?? [];
        const got = (issue.input as Record<string, unknown> | undefined)?.[issue.discriminator];
        const suggestion =
          typeof got === "string" ? closestMatch(got, options.map(String)) : undefined;
        return [
          at(
            "invalid-value",
            `${where}: expected one of ${options.map((o) => JSON.stringify(o)).join(", ")}, got ${describeValue(got)}${
              suggestion ? ` (did you mean "${suggestion}"?)` : ""
            }`,
          ),
        ];
      }
      // A union's own message says what it expected; the value is then named by its kind
      // only, since such unions guard values that must not be echoed (secret references).
      if (!issue.message.startsWith("Invalid input"))
        return [at("wrong-type", `${where}: ${issue.message}, got ${describeKind(issue.input)}`)];
      return [at("wrong-type", `${where}: ${issue.message}, got ${describeValue(issue.input)}`)];
    }
    case "custom": {
      const params = issue.params as Partial<CodedParams> | undefined;
      return [at(params?.code ?? "invalid-value", `${where}: ${issue.message}`)];
    }
    default:
      return [at("invalid-value", `${where}: ${lowerFirst(issue.message)}`)];
  }
}

/** Whether `value` has something at `path` (object keys and array indexes). */
export function hasPath(value: unknown, path: readonly (string | number)[]): boolean {
  let current = value;
  for (const part of path) {
    if (current === null || typeof current !== "object" || !(part in current)) return false;
    current = (current as Record<string | number, unknown>)[part];
  }
  return true;
}

function describeExpected(expected: string): string {
  switch (expected) {
    case "array":
      return "a list";
    case "object":
      return "a mapping";
    case "record":
      return "a mapping";
    default:
      return `a ${expected}`;
  }
}

export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return `${typeof value} ${value}`;
  return typeof value;
}

/** What `value` is, without its content. */
function describeKind(value: unknown): string {
  if (typeof value === "string") return "a string";
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return `a ${typeof value}`;
  return describeValue(value);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
