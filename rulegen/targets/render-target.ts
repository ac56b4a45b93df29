import type { SpecModel } from "../../spec/model/monitor.js";
import type { RuleFilePlan } from "../plan/rule-plan.js";
import { emitYaml } from "../render/emit-yaml.js";
import { ruleFileDocument } from "../render/render-rule-file.js";
import { splitChainedGroups } from "./split-chained-groups.js";
import type { Target } from "../../spec/model/target.js";

export interface TargetOutput {
  readonly ruleFileName: string;
  readonly ruleFile: string;
  /** Whether promtool unit tests apply (they load the Prometheus-format rule file). */
  readonly withTests: boolean;
}

/** The rule file as each target reads it. */
export function renderForTarget(
  plan: RuleFilePlan,
  model: SpecModel,
  target: Target,
  header: string,
): TargetOutput {
  switch (target) {
    case "prometheus":
      return output(`${model.name}.rules.yml`, header, ruleFileDocument(plan), true);
    case "vmalert": {
      const withoutHysteresis: RuleFilePlan = {
        groups: plan.groups.map((g) => ({
          ...g,
          rules: g.rules.map((r) =>
            r.kind === "alert" ? { ...r, keepFiringForMs: undefined } : r,
          ),
        })),
      };
      return output(
        `${model.name}.rules.yml`,
        header,
        ruleFileDocument(splitChainedGroups(withoutHysteresis)),
        false,
      );
    }
    case "mimir":
      // mimirtool rules load: one namespace per file.
      return output(
        `${model.name}.rules.yml`,
        header,
        { namespace: model.name, ...ruleFileDocument(plan) },
        false,
      );
    case "thanos": {
      // Thanos ruler queries through Thanos Query: an alert must not fire on partial data.
      const document = ruleFileDocument(plan);
      return output(
        `${model.name}.rules.yml`,
        header,
        {
          groups: document.groups.map((g) => ({ ...g, partial_response_strategy: "abort" })),
        },
        false,
      );
    }
    case "prometheus-operator":
      return output(
        `${model.name}.prometheusrule.yml`,
        header,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "PrometheusRule",
          metadata: {
            name: `aiwatch-${model.name}`,
            labels: {
              "app.kubernetes.io/managed-by": "aiwatch",
              "app.kubernetes.io/part-of": model.name,
            },
          },
          spec: ruleFileDocument(plan),
        },
        false,
      );
  }
}

function output(name: string, header: string, document: unknown, withTests: boolean): TargetOutput {
  return { ruleFileName: name, ruleFile: header + emitYaml(document), withTests };
}
