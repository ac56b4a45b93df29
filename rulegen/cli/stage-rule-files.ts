import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { embeddedRuleGroups } from "../targets/embedded-groups.js";

/** Every target's rule files: plain ones and the wrapped PrometheusRule resources. */
export function isRuleFileName(name: string): boolean {
  return name.endsWith(".rules.yml") || name.endsWith(".prometheusrule.yml");
}

export interface StagedRuleFiles {
  /** Paths for `promtool check rules`: the plain files, and extracted groups of wrapped ones. */
  readonly paths: readonly string[];
  /** "aiwatch.prometheusrule.yml (prometheus-operator PrometheusRule)", for the report. */
  readonly extracted: readonly string[];
  readonly remove: () => void;
}

/**
 * promtool reads plain rule files only: a Mimir namespace file ("field namespace not
 * found"), a Thanos file's partial_response_strategy and a PrometheusRule resource carry
 * the same groups under extra keys, so their groups are checked from a temporary copy.
 */
export function stageRuleFiles(dir: string, names: readonly string[]): StagedRuleFiles {
  let staging: string | undefined;
  const paths: string[] = [];
  const extracted: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const wrapper = wrapperOf(readFileSync(path, "utf8"));
    if (wrapper === undefined) {
      paths.push(path);
      continue;
    }
    staging ??= mkdtempSync(join(tmpdir(), "aiwatch-rules-test-"));
    const copy = join(staging, `${name}.groups.yml`);
    writeFileSync(copy, embeddedRuleGroups(readFileSync(path, "utf8")));
    paths.push(copy);
    extracted.push(`${name} (${wrapper})`);
  }
  return {
    paths,
    extracted,
    remove: () => {
      if (staging !== undefined) rmSync(staging, { recursive: true, force: true });
    },
  };
}

/** What wraps the rule groups, or undefined for a plain Prometheus rule file (or bad YAML). */
function wrapperOf(content: string): string | undefined {
  let document: unknown;
  try {
    document = parse(content);
  } catch {
    return undefined; // promtool reports the syntax error against the real file
  }
  if (typeof document !== "object" || document === null) return undefined;
  const fields = document as Record<string, unknown>;
  if (fields["kind"] === "PrometheusRule") return "prometheus-operator PrometheusRule";
  if ("namespace" in fields) return "mimir namespace file";
  const groups = fields["groups"];
  if (
    Array.isArray(groups) &&
    groups.some((g) => typeof g === "object" && g !== null && "partial_response_strategy" in g)
  )
    return "thanos rule file";
  return undefined;
}
