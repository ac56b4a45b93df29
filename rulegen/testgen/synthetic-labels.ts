import type { LabelMatcher } from "../../core/promql/parse-promql.js";
import type { Labels } from "./scenario.js";

export type LabelSynthesis =
  | { readonly ok: true; readonly labels: Labels }
  | { readonly ok: false; readonly matcher: LabelMatcher };

/**
 * Label values that satisfy a selector's matchers, so a generated test's input series is
 * selected by the rule. Regular expressions are tried against a few likely candidates
 * (the pattern itself, its first alternative); when none fits, the caller reports it.
 */
export function labelsSatisfying(matchers: readonly LabelMatcher[]): LabelSynthesis {
  const labels: Record<string, string> = {};
  for (const matcher of matchers) {
    const value = valueFor(matcher);
    if (value === undefined) return { ok: false, matcher };
    if (value !== "") labels[matcher.name] = value;
  }
  return { ok: true, labels };
}

function valueFor(m: LabelMatcher): string | undefined {
  switch (m.op) {
    case "=":
      return m.value;
    case "!=":
      return m.value === "" ? "x" : `${m.value}-other`;
    case "=~":
      return regexCandidates(m.value).find((c) => fullMatch(m.value, c));
    case "!~":
      return ["aiwatch-test", "x", "0", ""].find((c) => !fullMatch(m.value, c));
  }
}

function regexCandidates(pattern: string): string[] {
  const firstAlternative = splitTopLevel(pattern)[0] ?? pattern;
  const unescape = (s: string): string => s.replace(/^\(\?:|^\(|\)$/g, "").replace(/\\(.)/g, "$1");
  return [
    unescape(pattern),
    unescape(firstAlternative),
    unescape(firstAlternative.replace(/\.\*|\.\+/g, "x")),
    "x",
    "a",
    "0",
    "1",
    "true",
  ];
}

function splitTopLevel(pattern: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      current += c + (pattern[i + 1] ?? "");
      i++;
      continue;
    }
    if (c === "(") depth++;
    if (c === ")") depth--;
    if (c === "|" && depth === 0) {
      parts.push(current);
      current = "";
    } else current += c;
  }
  parts.push(current);
  return parts;
}

/** Prometheus anchors label regexes at both ends. */
function fullMatch(pattern: string, candidate: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`, "u").test(candidate);
  } catch {
    return false;
  }
}
