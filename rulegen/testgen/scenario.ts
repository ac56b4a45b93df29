/**
 * A detector's test, before it becomes promtool YAML: input series, and at chosen times
 * the alerts expected to be firing. Detectors state only the labels the alert expression
 * yields and the alert's value; rule labels and rendered annotations are added later, the
 * same way for every detector.
 */
export type Labels = Readonly<Record<string, string>>;

export interface SeriesInput {
  readonly series: string;
  readonly values: string;
}

export interface ExpectedAlert {
  /** Labels of the alert expression's output sample (before rule labels are added). */
  readonly labels: Labels;
  readonly value: number;
  /** Labels of the alerting rule that fired, when the monitor has several (SLO window pairs). */
  readonly ruleLabels?: Labels;
}

export interface AlertCheck {
  readonly atMs: number;
  readonly alerts: readonly ExpectedAlert[];
}

export interface TestScenario {
  /** What the scenario proves, e.g. "fires when the value rises 5σ above its baseline". */
  readonly title: string;
  readonly intervalMs: number;
  readonly inputs: readonly SeriesInput[];
  readonly checks: readonly AlertCheck[];
}
