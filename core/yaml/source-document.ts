import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Document, Node, Pair } from "yaml";
import type { Diagnostic, SourcePosition } from "../diagnostics/diagnostic.js";

/**
 * A parsed YAML document that remembers where every node came from, so that a problem
 * found later (by a schema, by a PromQL parser) can be reported at its line and column.
 */
export interface SourceDocument {
  readonly file: string;
  readonly text: string;
  /** Plain JavaScript value of the document; `undefined` for an empty one. */
  readonly value: unknown;
  /** Position of the value at `path`, or of its nearest existing ancestor. */
  positionOf(path: readonly (string | number)[]): SourcePosition;
  /** Position of the key at `path` (its last element names a key), else of the value. */
  keyPositionOf(path: readonly (string | number)[]): SourcePosition;
  /** Position of a character offset into the source text. */
  positionAtOffset(offset: number): SourcePosition;
  /** Offset of the first character of the scalar's content at `path`, and how it was quoted. */
  scalarSourceOf(path: readonly (string | number)[]): ScalarSource | undefined;
}

export interface ScalarSource {
  readonly offset: number;
  readonly style: "plain" | "single" | "double" | "block";
}

export type YamlParseResult =
  | { readonly ok: true; readonly document: SourceDocument }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic<"yaml-syntax">[] };

export function parseSourceDocument(file: string, text: string): YamlParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const toPosition = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, col };
  };
  if (doc.errors.length > 0) {
    return {
      ok: false,
      diagnostics: doc.errors.map((e) => ({
        code: "yaml-syntax" as const,
        severity: "error" as const,
        message: firstLine(e.message),
        file,
        position: toPosition(e.pos[0]),
      })),
    };
  }
  const rootOffset = doc.contents?.range?.[0] ?? 0;
  return {
    ok: true,
    document: {
      file,
      text,
      value: doc.toJS({ maxAliasCount: 100 }) as unknown,
      positionOf: (path) => toPosition(findNode(doc, path).node?.range?.[0] ?? rootOffset),
      keyPositionOf: (path) => {
        const found = findNode(doc, path);
        const keyNode = found.pair?.key as Node | null | undefined;
        const offset = keyNode?.range?.[0] ?? found.node?.range?.[0] ?? rootOffset;
        return toPosition(offset);
      },
      positionAtOffset: toPosition,
      scalarSourceOf: (path) => {
        const found = findNode(doc, path);
        if (!found.exact || !isScalar(found.node) || !found.node.range) return undefined;
        const start = found.node.range[0];
        switch (found.node.type) {
          case "QUOTE_SINGLE":
            return { offset: start + 1, style: "single" };
          case "QUOTE_DOUBLE":
            return { offset: start + 1, style: "double" };
          case "BLOCK_LITERAL":
          case "BLOCK_FOLDED":
            return { offset: start, style: "block" };
          default:
            return { offset: start, style: "plain" };
        }
      },
    },
  };
}

interface FoundNode {
  readonly node: Node | null | undefined;
  readonly pair?: Pair;
  /** True when the whole path exists; false when `node` is the nearest ancestor. */
  readonly exact: boolean;
}

function findNode(doc: Document, path: readonly (string | number)[]): FoundNode {
  let node = doc.contents;
  let pair: Pair | undefined;
  for (const part of path) {
    if (isMap(node)) {
      const next = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(part),
      );
      if (!next) return { node, exact: false };
      pair = next;
      node = next.value as Node | null;
      if (node === null) return { node: next.key as Node, pair, exact: true };
    } else if (isSeq(node) && typeof part === "number") {
      const next = node.items[part] as Node | undefined;
      if (!next) return { node, exact: false };
      pair = undefined;
      node = next;
    } else {
      return { node, exact: false };
    }
  }
  return pair ? { node, pair, exact: true } : { node, exact: true };
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}
