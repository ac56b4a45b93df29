import { Document, Scalar, stringify } from "yaml";
import type { ToStringOptions } from "yaml";
import { stringifyNumber, stringifyString } from "yaml/util";
import type { StringifyContext } from "yaml/util";

/**
 * The options every generated YAML file is written with: no folding, two-space indent,
 * sequences indented under their key, never an alias.
 */
export const YAML_OPTIONS = {
  lineWidth: 0,
  indent: 2,
  indentSeq: true,
  aliasDuplicateObjects: false,
} as const;

/**
 * `yaml`'s stringify output for plain data (maps, sequences, strings, numbers,
 * booleans), byte for byte, about 7x faster: `stringify` builds a node tree of the
 * whole document first, which was half of compiling 1,000 monitors
 * (bench/rulegen/compile.bench.ts). Here the layout (block maps, `- ` items indented
 * under their key, `[]` and `{}` for empty ones) is written directly; single-line
 * strings are written by yaml's own decisions (see `stringValue`), the rest by its
 * `stringifyString`. Anything else (null values, keys over 1,024 characters, class
 * instances, a top-level scalar) goes through `yaml`'s stringify, so the output is
 * always `yaml`'s; test/rulegen/emit-yaml.test.ts checks both paths against it, on every
 * generated file and on random strings.
 */
export function emitYaml(value: unknown): string {
  try {
    return emitFast(value);
  } catch (error) {
    if (!(error instanceof NotFastPath)) throw error;
    return stringify(value, YAML_OPTIONS);
  }
}

/** `emitYaml` without the fallback: throws `NotFastPath` where it would fall back. */
export function emitFast(value: unknown): string {
  // A top-level scalar is quoted by rules of its own (document markers); never ours.
  if (!Array.isArray(value) && !isPlainObject(value)) throw new NotFastPath();
  const out: string[] = [];
  node(value, "", contexts(""), out);
  out.push("\n");
  return out.join("");
}

export class NotFastPath extends Error {}

const INDENT_STEP = "  ";
const document = new Document(null, YAML_OPTIONS);
/** What `yaml`'s createStringifyContext gives stringifyString for these options. */
const OPTIONS = {
  blockQuote: true,
  defaultKeyType: null,
  defaultStringType: "PLAIN",
  doubleQuotedAsJSON: false,
  doubleQuotedMinMultiLineLength: 40,
  falseStr: "false",
  indentSeq: true,
  lineWidth: YAML_OPTIONS.lineWidth,
  minContentWidth: 20,
  nullStr: "null",
  singleQuote: null,
  trueStr: "true",
  commentString: (comment: string) => `#${comment}`,
} as Required<ToStringOptions>;

interface Contexts {
  readonly indent: string;
  readonly key: StringifyContext;
  readonly value: StringifyContext;
}
const contextsByIndent = new Map<string, Contexts>();

/** Scalar contexts at one indent: a key's (implicit) and a value's. */
function contexts(indent: string): Contexts {
  let found = contextsByIndent.get(indent);
  if (!found) {
    const base = {
      anchors: new Set<string>(),
      doc: document,
      indent,
      indentStep: INDENT_STEP,
      inFlow: null,
      options: OPTIONS,
      actualString: true,
    };
    found = {
      indent,
      key: { ...base, implicitKey: true } as unknown as StringifyContext,
      value: { ...base, implicitKey: false } as unknown as StringifyContext,
    };
    contextsByIndent.set(indent, found);
  }
  return found;
}

/**
 * Appends one value to `out`. `indent` is the indent of the lines it continues on; `at`
 * holds the contexts `yaml` stringifies a scalar in at that place. Parts are joined once
 * at the end: concatenating as it goes made deep ropes of a 5 MB file.
 */
function node(value: unknown, indent: string, at: Contexts, out: string[]): void {
  if (typeof value === "string") out.push(stringValue(value, at, false));
  else if (typeof value === "number") out.push(stringifyNumber(scalar(value)));
  else if (typeof value === "boolean") out.push(value ? "true" : "false");
  else if (Array.isArray(value)) sequence(value, indent, out);
  else if (isPlainObject(value)) mapping(value, indent, out);
  else throw new NotFastPath();
}

function sequence(items: readonly unknown[], indent: string, out: string[]): void {
  if (items.length === 0) {
    out.push("[]");
    return;
  }
  const itemIndent = indent + INDENT_STEP;
  const at = contexts(itemIndent);
  const separator = `\n${indent}- `;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item === undefined || item === null) throw new NotFastPath();
    out.push(i === 0 ? "- " : separator);
    node(item, itemIndent, at, out);
  }
}

function mapping(object: Record<string, unknown>, indent: string, out: string[]): void {
  const inner = indent + INDENT_STEP;
  const at = contexts(inner);
  const lineBreak = `\n${indent}`;
  const nested = `:\n${inner}`;
  let first = true;
  for (const key of Object.keys(object)) {
    const value = object[key];
    // yaml's createNode leaves out undefined values; null ones change how keys are written.
    if (value === undefined) continue;
    if (value === null) throw new NotFastPath();
    const keyText = stringValue(key, at, true);
    // yaml writes a longer key as an explicit `? key`.
    if (keyText.length > 1024) throw new NotFastPath();
    if (!first) out.push(lineBreak);
    first = false;
    out.push(keyText);
    if (Array.isArray(value) || isPlainObject(value)) {
      const empty = Array.isArray(value) ? value.length === 0 : isEmpty(value);
      out.push(empty ? ": " : nested);
      node(value, inner, at, out);
    } else {
      const at0 = out.length;
      out.push(": ");
      node(value, inner, at, out);
      // A value that is "" or starts a new line follows the colon directly.
      const body = out[at0 + 1] ?? "";
      if (body === "" || body[0] === "\n") out[at0] = ":";
    }
  }
  if (first) out.push("{}");
}

/*
 * The decisions of yaml 2's stringifyString for a single-line string in a block
 * collection (node_modules/yaml/dist/stringify/stringifyString.js), copied so the common
 * case needs no call: control characters force double quotes; plainString quotes what
 * NOT_PLAIN matches or what would read back as another type; quotedString picks single
 * quotes only for a string with double quotes and no single ones; with no line break,
 * no control character and no folding (lineWidth 0), double quoting is JSON's.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const FORCE_DOUBLE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
/** Cheap first test for FORCE_DOUBLE, whose `u` flag makes it slow on every string. */
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/;
const NOT_PLAIN =
  /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;
/** The schema's tests for plain text that reads back as a null, boolean or number. */
const OTHER_TYPES = document.schema.tags.flatMap((tag) =>
  tag.default && tag.tag !== "tag:yaml.org,2002:str" && tag.test ? [tag.test] : [],
);

/** A string value; keys are `implicitKey` (they are quoted after a document marker). */
function stringValue(value: string, at: Contexts, implicitKey: boolean): string {
  if (value.includes("\n") || (NOT_PRINTABLE_ASCII.test(value) && FORCE_DOUBLE.test(value)))
    return stringifyString(scalar(value), implicitKey ? at.key : at.value);
  if (
    !NOT_PLAIN.test(value) &&
    !(implicitKey && at.indent === INDENT_STEP && DOCUMENT_MARKER.test(value)) &&
    !OTHER_TYPES.some((test) => test.test(value))
  )
    return value;
  return value.includes('"') && !value.includes("'")
    ? `'${value.replace(/'/g, "''")}'`
    : JSON.stringify(value);
}

/**
 * What stringifyString and stringifyNumber read of a scalar node is its value (and type,
 * format and comment, all unset here); a reused node saves one allocation per scalar.
 */
const reusable = new Scalar<unknown>(null);
function scalar(value: string | number): Scalar {
  reusable.value = value;
  return reusable;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function isEmpty(object: Record<string, unknown>): boolean {
  for (const key in object) if (object[key] !== undefined) return false;
  return true;
}
