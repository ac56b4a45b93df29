/**
 * Dashboards as plain data, before the Grafana SDK renders them: what to show, in which
 * order, with which queries. Planning is pure and testable; rendering only maps this
 * onto the SDK's builders.
 */
export type Domain = "overview" | "training" | "inference" | "data" | "gpu";

export interface QueryPlan {
  readonly expr: string;
  readonly legend?: string;
  /** An instant query shown as a table (the firing-alerts list). */
  readonly instant?: boolean;
}

export interface LinkPlan {
  readonly title: string;
  /** Absolute, or relative to Grafana's root (`/alerting/list?...`). */
  readonly url: string;
}

interface PanelBase {
  readonly title: string;
  readonly description?: string;
  /** Half-width (12 of 24 columns) unless `full`. */
  readonly full?: boolean;
  readonly links?: readonly LinkPlan[];
}

/** A panel that draws numbers: it always says in what unit (a Grafana unit id). */
export interface DataPanelPlan extends PanelBase {
  readonly kind: "timeseries" | "stat" | "table";
  readonly unit: string;
  readonly queries: readonly QueryPlan[];
  /** A threshold drawn as a line (a monitor's threshold detector). */
  readonly threshold?: number;
}

export interface TextPanelPlan extends PanelBase {
  readonly kind: "text";
  /** Markdown. */
  readonly content: string;
}

export type PanelPlan = DataPanelPlan | TextPanelPlan;

export interface RowPlan {
  readonly title: string;
  readonly panels: readonly PanelPlan[];
}

export interface VariablePlan {
  readonly name: string;
  readonly label: string;
  /** `label_values(...)` query. */
  readonly query: string;
}

export interface DashboardPlan {
  readonly domain: Domain;
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly variables: readonly VariablePlan[];
  readonly rows: readonly RowPlan[];
  /** Monitors whose firing alerts are drawn as annotations on every panel. */
  readonly annotationMonitors: readonly string[];
  /** Every dashboard of the spec carries this tag; the dashboard links list them by it. */
  readonly specTag: string;
}
