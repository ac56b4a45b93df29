/**
 * The PromQL expression of an alert that aiwatch did not generate, read from its
 * Prometheus generator URL (`/graph?g0.expr=...`). Only the expression is taken: the
 * receiver runs it against its configured Prometheus, never against the URL's host.
 */
export function expressionFromGeneratorUrl(generatorURL: string | undefined): string | undefined {
  if (!generatorURL) return undefined;
  let url: URL;
  try {
    url = new URL(generatorURL);
  } catch {
    return undefined;
  }
  const expr = url.searchParams.get("g0.expr") ?? url.searchParams.get("expr");
  const trimmed = expr?.trim();
  return trimmed ? trimmed : undefined;
}
