/**
 * Where the rules are going. Each engine reads Prometheus's rule format with its own
 * twists; see docs/rulegen.md "Target profiles" for what each profile changes and why.
 */
export const TARGETS = ["prometheus", "vmalert", "mimir", "thanos", "prometheus-operator"] as const;
export type Target = (typeof TARGETS)[number];

export function isTarget(value: string): value is Target {
  return (TARGETS as readonly string[]).includes(value);
}
