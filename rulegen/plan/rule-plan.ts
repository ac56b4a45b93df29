/** Rule files as Prometheus reads them, before rendering to YAML. */
export interface RecordingRule {
  readonly kind: "record";
  readonly record: string;
  readonly expr: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface AlertingRule {
  readonly kind: "alert";
  readonly alert: string;
  readonly expr: string;
  readonly forMs: number;
  readonly keepFiringForMs: number | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
  readonly name: string;
  readonly intervalMs: number;
  readonly rules: readonly Rule[];
}

export interface RuleFilePlan {
  readonly groups: readonly RuleGroup[];
}
