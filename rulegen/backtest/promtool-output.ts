import { parseDuration } from "../../core/duration.js";
import type { Labels } from "../testgen/scenario.js";

/**
 * Reads the samples promtool prints for failed `promql_expr_test`s:
 *   expr: "ALERTS{...}", time: 1d2h6m,
 *       exp: nil
 *       got: {__name__="ALERTS", a="1", ...} 1E+00, {...} 1E+00
 * The backtest expects nothing at every evaluation, so each failure lists what fired.
 */
export function parseFailedExpressionTests(output: string): Map<number, Labels[]> {
  const firing = new Map<number, Labels[]>();
  let time: number | undefined;
  for (const line of output.split("\n")) {
    const header = /^\s+expr: ".*", time: (\S+),$/.exec(line);
    if (header) {
      time = parseDuration(header[1] ?? "");
      continue;
    }
    const got = /^\s+got: (.*)$/.exec(line);
    if (got && time !== undefined) {
      // Several test groups (one per monitor) may report the same time.
      firing.set(time, [...(firing.get(time) ?? []), ...parseSampleList(got[1] ?? "")]);
      time = undefined;
    }
  }
  return firing;
}

/** `{a="x", b="y\\"z"} 1E+00, {...} 1E+00` → label sets. */
export function parseSampleList(text: string): Labels[] {
  const out: Labels[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf("{", i);
    if (open < 0) break;
    const labels: Record<string, string> = {};
    i = open + 1;
    while (i < text.length && text[i] !== "}") {
      const eq = text.indexOf("=", i);
      const name = text.slice(i, eq).trim().replace(/^,\s*/, "").trim();
      let j = eq + 2; // past ="
      let value = "";
      while (j < text.length && text[j] !== '"') {
        if (text[j] === "\\") {
          value += JSON.parse(`"${text.slice(j, j + 2)}"`) as string;
          j += 2;
        } else value += text[j++];
      }
      labels[name] = value;
      i = j + 1;
      while (text[i] === "," || text[i] === " ") i++;
    }
    out.push(labels);
    i++;
  }
  return out;
}
