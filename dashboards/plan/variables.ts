import type { Domain, VariablePlan } from "./dashboard-plan.js";

/**
 * The template variables of each dashboard, and the label each one filters. Panels add a
 * `label=~"$variable"` matcher for every variable whose label their series carry.
 */
export interface DomainVariable extends VariablePlan {
  readonly labelName: string;
}

const variable = (
  name: string,
  label: string,
  labelName: string,
  query: string,
): DomainVariable => ({ name, label, labelName, query });

export const DOMAIN_VARIABLES: Readonly<Record<Domain, readonly DomainVariable[]>> = {
  overview: [],
  training: [
    variable("run_id", "Run", "run_id", "label_values(aiwatch_training_step, run_id)"),
    variable(
      "job_name",
      "Job",
      "job_name",
      'label_values(aiwatch_training_step{run_id=~"$run_id"}, job_name)',
    ),
  ],
  inference: [
    variable("model", "Model", "model", "label_values(aiwatch_inference_requests_total, model)"),
  ],
  data: [
    variable("model", "Model", "model", "label_values(aiwatch_data_rows_total, model)"),
    variable(
      "feature",
      "Feature",
      "feature",
      'label_values(aiwatch_data_drift_score{model=~"$model"}, feature)',
    ),
  ],
  gpu: [
    variable("node", "Node", "instance", "label_values(aiwatch_gpu_utilization_ratio, instance)"),
    variable(
      "gpu",
      "GPU",
      "uuid",
      'label_values(aiwatch_gpu_utilization_ratio{instance=~"$node"}, uuid)',
    ),
  ],
};

/** `{run_id=~"$run_id", job_name=~"$job_name"}`-style matchers for the given labels. */
export function variableMatchers(domain: Domain, labels: readonly string[]): string[] {
  return DOMAIN_VARIABLES[domain]
    .filter((v) => labels.includes(v.labelName))
    .map((v) => `${v.labelName}=~"$${v.name}"`);
}

/** Adds matchers to a selector written as `metric` or `metric{...}`. */
export function withMatchers(selector: string, matchers: readonly string[]): string {
  if (matchers.length === 0) return selector;
  const open = selector.indexOf("{");
  if (open < 0) return `${selector}{${matchers.join(", ")}}`;
  const inner = selector.slice(open + 1, selector.lastIndexOf("}")).trim();
  return `${selector.slice(0, open)}{${inner === "" ? "" : `${inner}, `}${matchers.join(", ")}}`;
}
