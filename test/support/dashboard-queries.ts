import type { GeneratedFile } from "../../core/generated-files.js";

/** A query a generated dashboard sends to Prometheus, and where it sits. */
export interface DashboardQuery {
  readonly where: string;
  readonly expr: string;
}

interface Dashboard {
  uid: string;
  panels: { title: string; targets?: { expr: string }[] }[];
  annotations: { list: { name?: string; expr?: string }[] };
}

/** Every panel target and annotation query of the dashboards among `files`. */
export function dashboardQueries(files: readonly GeneratedFile[]): DashboardQuery[] {
  return files
    .filter((f) => f.name.endsWith(".json"))
    .map((f) => JSON.parse(f.content) as Dashboard)
    .flatMap((d) => [
      ...d.panels.flatMap((p) =>
        (p.targets ?? []).map((t) => ({ where: `${d.uid} / ${p.title}`, expr: t.expr })),
      ),
      ...d.annotations.list.flatMap((a) =>
        a.expr ? [{ where: `${d.uid} / annotation ${a.name ?? ""}`.trim(), expr: a.expr }] : [],
      ),
    ]);
}

/**
 * What Grafana sends once it has filled in the variables: every template variable set to
 * "All" (the dashboards match them with `=~`) and the rate interval at one minute.
 */
export function substituteVariables(expr: string): string {
  return expr.replace(/\$__rate_interval|\$__interval/g, "1m").replace(/\$\{?(\w+)\}?/g, ".*");
}
