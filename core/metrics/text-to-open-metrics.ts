/**
 * Rewrites prom-client's Prometheus text exposition as OpenMetrics 1.0.0: a counter's
 * family is named without `_total` (its samples keep it), blank lines go, `# EOF` ends it.
 *
 * Why not a second prom-client registry in OpenMetrics mode: rendering one renames every
 * counter it holds in place (`metric.name` loses `_total`), and metric objects are shared,
 * so the next text scrape printed `aiwatch_config_reloads{...}` and failed promtool
 * (prom-client 15 `Registry.metrics()`; see
 * https://github.com/prometheus/client_js/pull/829). One registry, converted on render,
 * cannot drift between the formats.
 */
export function textToOpenMetrics(text: string): string {
  const out: string[] = [];
  let help: { readonly name: string; readonly text: string } | undefined;
  let counter: string | undefined;
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const header = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
    if (header) {
      const [, keyword, name = "", rest = ""] = header;
      if (keyword === "HELP") {
        help = { name, text: rest };
        continue;
      }
      counter = rest === "counter" ? name.replace(/_total$/, "") : undefined;
      const family = counter ?? name;
      if (help?.name === name) out.push(`# HELP ${family} ${help.text}`);
      help = undefined;
      out.push(`# TYPE ${family} ${rest}`);
      continue;
    }
    if (help) {
      out.push(`# HELP ${help.name} ${help.text}`);
      help = undefined;
    }
    if (line.startsWith("#")) {
      out.push(line);
      continue;
    }
    const sampleName = /^[^{\s]+/.exec(line)?.[0];
    out.push(
      counter !== undefined && sampleName === counter
        ? `${counter}_total${line.slice(counter.length)}`
        : line,
    );
  }
  if (help) out.push(`# HELP ${help.name} ${help.text}`);
  out.push("# EOF");
  return `${out.join("\n")}\n`;
}
