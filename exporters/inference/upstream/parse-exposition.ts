export type UpstreamType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

export interface UpstreamSample {
  /** The sample's own name (`x_bucket`, `x_sum`, `x_total`, ...). */
  readonly name: string;
  readonly labels: readonly (readonly [string, string])[];
  readonly value: number;
}

export interface UpstreamFamily {
  readonly name: string;
  readonly type: UpstreamType;
  help: string;
  readonly samples: UpstreamSample[];
}

const TYPES = new Set<string>(["counter", "gauge", "histogram", "summary", "untyped"]);
const SUFFIXES: Readonly<Record<UpstreamType, readonly string[]>> = {
  counter: ["", "_total"],
  gauge: [""],
  untyped: [""],
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["", "_sum", "_count"],
};

/**
 * Parses the Prometheus text format 0.0.4, as vLLM (prometheus_client) and Triton
 * (prometheus-cpp) serve it: `# HELP`/`# TYPE` lines, samples with escaped label values,
 * NaN/+Inf/-Inf, optional timestamps (ignored). Samples are grouped into the family whose
 * TYPE line they follow when their name fits it, else into an untyped family of their
 * own. Throws on a malformed line, naming it.
 */
export function parseExposition(text: string): Map<string, UpstreamFamily> {
  const families = new Map<string, UpstreamFamily>();
  const helps = new Map<string, string>();
  let current: UpstreamFamily | undefined;
  const family = (name: string, type: UpstreamType): UpstreamFamily => {
    let found = families.get(name);
    if (!found) {
      found = { name, type, help: helps.get(name) ?? "", samples: [] };
      families.set(name, found);
    }
    return found;
  };
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const line = (lines[index] ?? "").replace(/\r$/, "");
    if (line.trim() === "") continue;
    if (line.startsWith("#")) {
      const meta = /^#\s+(HELP|TYPE)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\s+(.*))?$/.exec(line);
      if (!meta) continue;
      const name = meta[2] ?? "";
      if (meta[1] === "HELP") {
        const help = unescapeHelp(meta[3] ?? "");
        helps.set(name, help);
        const existing = families.get(name);
        if (existing) existing.help = help;
      } else {
        const type = (meta[3] ?? "untyped").trim();
        if (!TYPES.has(type)) throw new Error(`line ${index + 1}: unknown metric type "${type}"`);
        current = family(name, type as UpstreamType);
      }
      continue;
    }
    const sample = parseSample(line, index + 1);
    const owner =
      current && SUFFIXES[current.type].some((suffix) => sample.name === current?.name + suffix)
        ? current
        : family(sample.name, "untyped");
    owner.samples.push(sample);
  }
  return families;
}

function parseSample(line: string, lineNumber: number): UpstreamSample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) throw new Error(`line ${lineNumber}: expected a metric name`);
  const name = nameMatch[0];
  let at = name.length;
  const labels: [string, string][] = [];
  if (line[at] === "{") {
    at++;
    for (;;) {
      while (line[at] === " " || line[at] === ",") at++;
      if (line[at] === "}") {
        at++;
        break;
      }
      const labelMatch = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"/.exec(line.slice(at));
      if (!labelMatch) throw new Error(`line ${lineNumber}: malformed labels`);
      at += labelMatch[0].length;
      let value = "";
      for (;;) {
        const c = line[at++];
        if (c === undefined) throw new Error(`line ${lineNumber}: unterminated label value`);
        if (c === '"') break;
        if (c === "\\") {
          const next = line[at++];
          value += next === "n" ? "\n" : (next ?? "");
        } else value += c;
      }
      labels.push([labelMatch[1] ?? "", value]);
    }
  }
  const rest = line.slice(at).trim().split(/\s+/);
  const value = parseValue(rest[0] ?? "");
  if (value === undefined)
    throw new Error(`line ${lineNumber}: bad sample value ${JSON.stringify(rest[0] ?? "")}`);
  return { name, labels, value };
}

function parseValue(text: string): number | undefined {
  switch (text) {
    case "NaN":
      return NaN;
    case "+Inf":
    case "Inf":
      return Infinity;
    case "-Inf":
      return -Infinity;
  }
  if (text === "" || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(\\|n)/g, (_m, c: string) => (c === "n" ? "\n" : "\\"));
}
