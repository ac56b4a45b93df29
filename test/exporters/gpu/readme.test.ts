import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DCGM_FIELDS, DCGM_XID_FIELD } from "../../../exporters/gpu/dcgm/dcgm-fields.js";
import {
  MIG_METRICS,
  SOURCE_METRICS,
  XID_METRICS,
} from "../../../exporters/gpu/metrics/collector-metrics.js";
import { GPU_METRICS } from "../../../exporters/gpu/metrics/gpu-metrics.js";
import { parseHelpQuery } from "../../../exporters/gpu/nvidia-smi/help-query.js";
import { readCapture, sectionOf } from "../../../exporters/gpu/replay/nvidia-capture.js";
import { repoPath, requireFixtures } from "../../support/fixtures.js";

/**
 * `a_{x,y}_b` → a_x_b, a_y_b (the README groups families that way); `a{label}` (labels
 * named in prose) → a.
 */
function expand(name: string): string[] {
  const match = /^(.*?)\{([^}]*)\}(.*)$/.exec(name);
  if (!match) return [name];
  if (!(match[1] ?? "").endsWith("_")) return [match[1] ?? ""];
  return (match[2] ?? "")
    .split(",")
    .flatMap((part) => expand(`${match[1] ?? ""}${part}${match[3] ?? ""}`));
}

describe("the GPU docs", () => {
  const readme = readFileSync(repoPath("docs", "gpu.md"), "utf8");
  const section = readme.slice(
    readme.indexOf("<!-- exporters/gpu:begin -->"),
    readme.indexOf("<!-- exporters/gpu:end -->"),
  );
  const documented = new Set(
    [...section.matchAll(/`([A-Za-z0-9_{},]+)`/g)].flatMap((m) => expand(m[1] ?? "")),
  );

  it("documents every family the collector can expose, and no family it cannot", () => {
    const families = [GPU_METRICS, MIG_METRICS, XID_METRICS, SOURCE_METRICS].flatMap((group) =>
      Object.values(group).map((d) => d.name),
    );
    expect(families.filter((name) => !documented.has(name))).toEqual([]);
    const dcgm = [...DCGM_FIELDS.map((f) => f.name), DCGM_XID_FIELD.name];
    expect(dcgm.filter((name) => !documented.has(name))).toEqual([]);
    const known = new Set([...families, ...dcgm]);
    const stale = [...documented].filter(
      (name) => /^aiwatch_gpu_[a-z0-9_]+$/.test(name) && !known.has(name),
    );
    expect(stale).toEqual([]);
  });
});

const captures = requireFixtures("gpu/nvidia-smi-csv");
describe.skipIf(!captures.available)("the GPU docs note on energy", () => {
  it("holds: no captured nvidia-smi offers an energy query field", () => {
    const dir = join(captures.dir, "gpu", "nvidia-smi-csv");
    const files = readdirSync(dir).filter((name) => name.endsWith(".txt") && /__/.test(name));
    const fieldsByFile = files.map((name) => {
      const help = sectionOf(readCapture(join(dir, name)), "capabilities", "help-query-gpu");
      return { name, fields: help ? parseHelpQuery(help.body).flat() : [] };
    });
    // Every capture has a --help-query-gpu listing, so "none lists energy" is a finding.
    expect(fieldsByFile.filter((f) => f.fields.length < 50).map((f) => f.name)).toEqual([]);
    expect(fieldsByFile.flatMap((f) => f.fields.filter((field) => /energy/i.test(field)))).toEqual(
      [],
    );
    const readme = readFileSync(repoPath("docs", "gpu.md"), "utf8");
    expect(readme).toContain("There is no energy counter (no `aiwatch_gpu_energy_*` family).");
  });
});
