/**
 * The `le` label value of a classic histogram bucket, on Prometheus 2 and 3 alike.
 * Prometheus 3 normalises `le` at scrape time to a float form (`le="1"` becomes
 * `le="1.0"`); 2.x keeps what the exporter wrote (client libraries write `1.0` or `1`).
 * A regular expression matching every spelling selects the bucket on both.
 */
export function leMatcherValue(threshold: number): string {
  const spellings = new Set<string>([String(threshold)]);
  if (Number.isInteger(threshold)) spellings.add(`${threshold}.0`);
  return [...spellings].map((s) => s.replace(/[.+]/g, (c) => `\\${c}`)).join("|");
}
