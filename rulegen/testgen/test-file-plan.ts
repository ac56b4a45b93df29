/** promtool's unit-test file, before rendering to YAML. */
export interface ExpectedPromtoolAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface AlertRuleTest {
  readonly evalTimeMs: number;
  readonly alertname: string;
  readonly expAlerts: readonly ExpectedPromtoolAlert[];
}

export interface UnitTest {
  readonly name: string;
  readonly intervalMs: number;
  readonly inputSeries: readonly { readonly series: string; readonly values: string }[];
  readonly alertRuleTests: readonly AlertRuleTest[];
}

export interface TestFilePlan {
  readonly ruleFiles: readonly string[];
  readonly evaluationIntervalMs: number;
  readonly tests: readonly UnitTest[];
}
