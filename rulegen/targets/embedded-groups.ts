import { parse, stringify } from "yaml";
import { YAML_OPTIONS } from "../render/render-rule-file.js";

/**
 * The Prometheus rule groups inside any target's output, as a plain rule file, so
 * `promtool check rules` can check what a PrometheusRule, a Mimir namespace file or a
 * Thanos rule file carries (their extra keys are the only difference).
 */
export function embeddedRuleGroups(content: string): string {
  const document = parse(content) as Record<string, unknown>;
  const spec = document["spec"] as Record<string, unknown> | undefined;
  const groups = (spec?.["groups"] ?? document["groups"]) as Record<string, unknown>[] | undefined;
  return stringify(
    {
      groups: (groups ?? []).map((g) => {
        const { partial_response_strategy: _ignored, ...group } = g;
        return group;
      }),
    },
    YAML_OPTIONS,
  );
}
