/** Where a reader can open a query over the exact window the evidence was taken from. */
export interface LinkTargets {
  /** Prometheus as people's browsers reach it (not necessarily the URL the receiver queries). */
  readonly prometheus: string;
  readonly grafana?: {
    readonly url: string;
    readonly datasourceUid: string;
    readonly orgId: number;
  };
}

export interface QueryLink {
  readonly label: string;
  readonly url: string;
}

/**
 * Prometheus's graph page with the expression, the range and its end time, as its UI
 * writes them (`g0.range_input`, `g0.end_input` in UTC); Prometheus 3 reads the same
 * parameters.
 */
export function prometheusGraphUrl(
  base: string,
  expr: string,
  startMs: number,
  endMs: number,
): string {
  const end = utcText(endMs);
  const params = new URLSearchParams({
    "g0.expr": expr,
    "g0.tab": "0",
    "g0.range_input": `${Math.max(1, Math.round((endMs - startMs) / 1000))}s`,
    "g0.end_input": end,
    "g0.moment_input": end,
  });
  return `${base.replace(/\/+$/, "")}/graph?${params.toString()}`;
}

/**
 * Grafana Explore with the query on the configured data source over the window (absolute
 * epoch milliseconds), in the `panes` form Grafana 10 and later read.
 */
export function grafanaExploreUrl(
  grafana: NonNullable<LinkTargets["grafana"]>,
  expr: string,
  startMs: number,
  endMs: number,
): string {
  const datasource = { type: "prometheus", uid: grafana.datasourceUid };
  const panes = {
    a: {
      datasource: grafana.datasourceUid,
      queries: [{ refId: "A", expr, range: true, datasource }],
      range: { from: String(Math.floor(startMs)), to: String(Math.ceil(endMs)) },
    },
  };
  const params = new URLSearchParams({
    schemaVersion: "1",
    orgId: String(grafana.orgId),
    panes: JSON.stringify(panes),
  });
  return `${grafana.url.replace(/\/+$/, "")}/explore?${params.toString()}`;
}

export function queryLinks(
  targets: LinkTargets,
  expr: string,
  startMs: number,
  endMs: number,
): QueryLink[] {
  const links: QueryLink[] = [
    { label: "Prometheus", url: prometheusGraphUrl(targets.prometheus, expr, startMs, endMs) },
  ];
  if (targets.grafana)
    links.push({ label: "Grafana", url: grafanaExploreUrl(targets.grafana, expr, startMs, endMs) });
  return links;
}

function utcText(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}
