import {
  AnnotationQueryBuilder,
  DashboardBuilder,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
} from "@grafana/grafana-foundation-sdk/dashboard";
import type { DataSourceRef } from "@grafana/grafana-foundation-sdk/dashboard";
import {
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  VizLegendOptionsBuilder,
  LegendDisplayMode,
  LegendPlacement,
} from "@grafana/grafana-foundation-sdk/common";
import { DataqueryBuilder, PromQueryFormat } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as StatPanelBuilder } from "@grafana/grafana-foundation-sdk/stat";
import { PanelBuilder as TablePanelBuilder } from "@grafana/grafana-foundation-sdk/table";
import { PanelBuilder as TextPanelBuilder, TextMode } from "@grafana/grafana-foundation-sdk/text";
import { PanelBuilder as TimeseriesPanelBuilder } from "@grafana/grafana-foundation-sdk/timeseries";
import type { DashboardPlan, LinkPlan, PanelPlan, QueryPlan } from "../plan/dashboard-plan.js";

/** Every panel reads the dashboard's `datasource` variable, so users pick their Prometheus. */
const DATASOURCE: DataSourceRef = { type: "prometheus", uid: "${datasource}" };
export const DEFAULT_DATASOURCE_UID = "aiwatch-prometheus";

/** Renders a plan with the Grafana Foundation SDK to dashboard JSON (deterministic text). */
export function renderDashboard(plan: DashboardPlan): string {
  const dashboard = new DashboardBuilder(plan.title)
    .uid(plan.uid)
    .description(plan.description)
    .tags(["aiwatch", "generated", plan.domain, plan.specTag])
    .editable()
    .refresh("30s")
    .time({ from: "now-6h", to: "now" })
    .timezone("browser")
    .link(
      // Every dashboard of the same spec (they share its tag), keeping the time range.
      new DashboardLinkBuilder("aiwatch dashboards")
        .type(DashboardLinkType.Dashboards)
        .tags([plan.specTag])
        .asDropdown(false)
        .keepTime(true)
        .includeVars(false)
        .targetBlank(false),
    )
    .withVariable(
      new DatasourceVariableBuilder("datasource")
        .label("Prometheus")
        .type("prometheus")
        .current({ text: DEFAULT_DATASOURCE_UID, value: DEFAULT_DATASOURCE_UID }),
    )
    .annotation(
      new AnnotationQueryBuilder()
        .name("aiwatch alerts")
        .datasource(DATASOURCE)
        .enable(true)
        .iconColor("red")
        .expr(
          plan.annotationMonitors.length > 0
            ? `ALERTS{alertstate="firing", monitor=~"${plan.annotationMonitors.join("|")}"}`
            : 'ALERTS{alertstate="firing", monitor!=""}',
        )
        .titleFormat("{{alertname}}")
        .textFormat("{{layer}} / {{severity}}")
        .useValueForTime(false),
    );
  for (const variable of plan.variables) {
    dashboard.withVariable(
      new QueryVariableBuilder(variable.name)
        .label(variable.label)
        .datasource(DATASOURCE)
        .query(variable.query)
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true)
        .allValue(".*"),
    );
  }
  for (const row of plan.rows) {
    dashboard.withRow(new RowBuilder(row.title));
    for (const panel of row.panels) dashboard.withPanel(renderPanel(panel));
  }
  const built = dashboard.build();
  // The SDK's default placement, "inControlsMenu", tucks links into Grafana 12's controls
  // dropdown; without it they show at the top, as in every Grafana version.
  for (const link of built.links ?? []) delete link.placement;
  for (const panel of built.panels ?? [])
    for (const link of ("links" in panel ? panel.links : undefined) ?? []) delete link.placement;
  return JSON.stringify(built, null, 2) + "\n";
}

function renderPanel(panel: PanelPlan) {
  const span = panel.full ? 24 : 12;
  switch (panel.kind) {
    case "text":
      return new TextPanelBuilder()
        .title(panel.title)
        .span(span)
        .height(8)
        .mode(TextMode.Markdown)
        .content(panel.content);
    case "stat":
      return withTargets(
        new StatPanelBuilder()
          .title(panel.title)
          .span(span)
          .height(6)
          .datasource(DATASOURCE)
          .unit(panel.unit)
          .links(links(panel.links)),
        panel.queries,
      );
    case "table":
      return withTargets(
        new TablePanelBuilder()
          .title(panel.title)
          .span(span)
          .height(8)
          .datasource(DATASOURCE)
          .unit(panel.unit)
          .links(links(panel.links)),
        panel.queries,
      );
    case "timeseries": {
      const builder = new TimeseriesPanelBuilder()
        .title(panel.title)
        .span(span)
        .height(8)
        .datasource(DATASOURCE)
        .legend(
          new VizLegendOptionsBuilder()
            .showLegend(true)
            .displayMode(LegendDisplayMode.List)
            .placement(LegendPlacement.Bottom),
        );
      if (panel.description) builder.description(panel.description);
      builder.unit(panel.unit);
      if (panel.links) builder.links(links(panel.links));
      if (panel.threshold !== undefined) {
        builder
          .thresholds(
            new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
              { value: null, color: "green" },
              { value: panel.threshold, color: "red" },
            ]),
          )
          .thresholdsStyle(
            new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed),
          );
      }
      return withTargets(builder, panel.queries);
    }
  }
}

function links(plans: readonly LinkPlan[] = []): DashboardLinkBuilder[] {
  return plans.map((link) =>
    new DashboardLinkBuilder(link.title)
      .type(DashboardLinkType.Link)
      .url(link.url)
      .targetBlank(!link.url.startsWith("/")),
  );
}

interface TargetSink {
  withTarget(target: DataqueryBuilder): unknown;
}

function withTargets<P extends TargetSink>(builder: P, queries: readonly QueryPlan[]): P {
  queries.forEach((query, i) => {
    const target = new DataqueryBuilder().refId(String.fromCharCode(65 + i)).expr(query.expr);
    if (query.legend) target.legendFormat(query.legend);
    if (query.instant) target.instant().format(PromQueryFormat.Table);
    builder.withTarget(target);
  });
  return builder;
}
