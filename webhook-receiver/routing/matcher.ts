/**
 * Alertmanager-style label matchers: `name="value"`, `name!="value"`, `name=~"regex"`,
 * `name!~"regex"` (values quoted or bare, as in Alertmanager's `matchers:` lists). Regexes
 * are anchored on both ends, as Alertmanager anchors them.
 */
export type MatchOperator = "=" | "!=" | "=~" | "!~";

export interface Matcher {
  readonly name: string;
  readonly operator: MatchOperator;
  readonly value: string;
  readonly text: string;
  matches(labels: Readonly<Record<string, string>>): boolean;
}

export type ParsedMatcher =
  | { readonly ok: true; readonly matcher: Matcher }
  | { readonly ok: false; readonly message: string };

const MATCHER = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/;

export function parseMatcher(text: string): ParsedMatcher {
  const match = MATCHER.exec(text);
  if (!match) {
    return {
      ok: false,
      message: `${JSON.stringify(text)} is not a matcher; expected name="value", name!="value", name=~"regex" or name!~"regex"`,
    };
  }
  const [, name = "", operator = "=", rawValue = ""] = match;
  const value = unquote(rawValue);
  if (value === undefined)
    return { ok: false, message: `${JSON.stringify(text)}: the value has an unterminated quote` };
  const op = operator as MatchOperator;
  let test: (actual: string) => boolean;
  if (op === "=~" || op === "!~") {
    let regex: RegExp;
    try {
      regex = new RegExp(`^(?:${value})$`, "u");
    } catch (error) {
      return {
        ok: false,
        message: `${JSON.stringify(text)}: invalid regular expression: ${(error as Error).message}`,
      };
    }
    test = (actual) => regex.test(actual);
  } else {
    test = (actual) => actual === value;
  }
  const negate = op === "!=" || op === "!~";
  return {
    ok: true,
    matcher: {
      name,
      operator: op,
      value,
      text,
      // A missing label matches as the empty string, as in Alertmanager.
      matches: (labels) => test(labels[name] ?? "") !== negate,
    },
  };
}

function unquote(raw: string): string | undefined {
  if (!raw.startsWith('"')) return raw;
  if (raw.length < 2 || !raw.endsWith('"')) return undefined;
  try {
    return JSON.parse(raw) as string;
  } catch {
    return undefined;
  }
}
