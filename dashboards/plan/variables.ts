import type { Domain, VariablePlan } from "./dashboard-plan.js";
import type { GpuSources } from "./gpu-sources.js";

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

const FIXED: Readonly<Record<Exclude<Domain, "gpu">, readonly DomainVariable[]>> = {
  overview: [],
  training: [
    variable("run_id", "Run", "run_id", "label_values(aiwatch_training_step, run_id)"),
    variable(
      "job_name",
      "Job",
      "job_name",
      'label_values(aiwatch_training_step{run_id=~"$run_id"}, job_name)',
    ),
    // Empty for runs that report once (no rank label): "All" (.*) still matches those.
    variable(
      "rank",
      "Rank",
      "rank",
      'label_values(aiwatch_training_step{run_id=~"$run_id", job_name=~"$job_name"}, rank)',
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
};

/**
 * The GPU dashboard's node and GPU variables, read from the exporter the spec's GPU
 * monitors read: aiwatch's `instance` and `uuid`, or dcgm-exporter's hostname label and
 * `UUID` (on DCGM_FI_DEV_GPU_TEMP, which its default counters always have). With both,
 * dcgm-exporter's get a `dcgm_` prefix.
 */
export function gpuVariables(sources: GpuSources): DomainVariable[] {
  const variables: DomainVariable[] = [];
  if (sources.aiwatch)
    variables.push(
      variable(
        "node",
        "Node",
        "instance",
        "label_values(aiwatch_gpu_temperature_celsius, instance)",
      ),
      variable(
        "gpu",
        "GPU",
        "uuid",
        'label_values(aiwatch_gpu_temperature_celsius{instance=~"$node"}, uuid)',
      ),
    );
  if (sources.dcgm) {
    const prefix = sources.aiwatch ? "dcgm_" : "";
    const host = sources.dcgm.hostnameLabel;
    variables.push(
      variable(
        `${prefix}node`,
        sources.aiwatch ? "Node (dcgm-exporter)" : "Node",
        host,
        `label_values(DCGM_FI_DEV_GPU_TEMP, ${host})`,
      ),
      variable(
        `${prefix}gpu`,
        sources.aiwatch ? "GPU (dcgm-exporter)" : "GPU",
        "UUID",
        `label_values(DCGM_FI_DEV_GPU_TEMP{${host}=~"$${prefix}node"}, UUID)`,
      ),
    );
  }
  return variables;
}

export function domainVariables(domain: Domain, gpu: GpuSources): readonly DomainVariable[] {
  return domain === "gpu" ? gpuVariables(gpu) : FIXED[domain];
}

/** `{run_id=~"$run_id", job_name=~"$job_name"}`-style matchers for the given labels. */
export function variableMatchers(
  variables: readonly DomainVariable[],
  labels: readonly string[],
): string[] {
  return variables
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
