export interface Series {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Samples of a Prometheus text exposition (comments skipped, label values unescaped). */
export function parseExposition(text: string): Series[] {
  const series: Series[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = LINE.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, name = "", value = ""] of (match[2] ?? "").matchAll(LABEL))
      labels[name] = value.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    const raw = match[3] ?? "";
    series.push({
      name: match[1] ?? "",
      labels,
      value: raw === "NaN" ? NaN : Number(raw.replace("+Inf", "Infinity")),
    });
  }
  return series;
}

/** Series of `name` whose labels include `labels`. */
export function select(
  all: readonly Series[],
  name: string,
  labels: Readonly<Record<string, string>> = {},
): Series[] {
  return all.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => (s.labels[k] ?? "") === v),
  );
}

/** The one value of `name{labels}`, or undefined when there is no such series. */
export function valueOf(
  all: readonly Series[],
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number | undefined {
  const found = select(all, name, labels);
  if (found.length > 1)
    throw new Error(`${name}${JSON.stringify(labels)} matches ${found.length} series`);
  return found[0]?.value;
}
