import { closestMatch } from "../../core/config/closest-match.js";
import type { SpecProblem } from "../diagnostics/problem.js";
import { PRESET_NAMES, presetNamed } from "./catalogue.js";
import { HOSTNAME_LABELS } from "./gpu-metrics.js";
import type { HostnameLabel } from "./gpu-metrics.js";
import type { PresetOptions } from "./preset.js";

export interface PresetExpansion {
  /** The document with every preset's fields filled in; the user's fields win. */
  readonly value: unknown;
  readonly problems: readonly SpecProblem[];
}

type Fields = Record<string, unknown>;

const isRecord = (v: unknown): v is Fields =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Fills in the monitors that name a preset, before the document is validated: what the
 * user wrote stays at its place in the file, so every later error still points at the
 * user's line and column; fields that come from the preset are reported at the monitor.
 * A preset's `related` list keeps only monitors the spec has (by preset or by name).
 */
export function expandPresets(value: unknown): PresetExpansion {
  if (!isRecord(value) || !Array.isArray(value["monitors"])) return { value, problems: [] };
  const monitors = value["monitors"] as unknown[];
  const problems: SpecProblem[] = [];
  const present = new Map<string, string>();
  for (const m of monitors) {
    if (!isRecord(m)) continue;
    const preset = presetName(m["preset"]);
    const name = typeof m["name"] === "string" ? m["name"] : preset;
    if (name !== undefined) present.set(name, name);
    if (preset !== undefined && name !== undefined && !present.has(`preset:${preset}`))
      present.set(`preset:${preset}`, name);
  }
  const expanded = monitors.map((original, index) => {
    if (!isRecord(original) || original["preset"] === undefined) return original;
    const m: Fields =
      typeof original["preset"] === "string"
        ? { ...original, preset: { name: original["preset"] } }
        : original;
    const name = presetName(m["preset"]);
    if (name === undefined) return m; // the schema reports the malformed reference
    const preset = presetNamed(name);
    const at =
      typeof original["preset"] === "string"
        ? ["monitors", index, "preset"]
        : ["monitors", index, "preset", "name"];
    if (!preset) {
      const suggestion = closestMatch(name, PRESET_NAMES);
      problems.push({
        code: "unknown-preset",
        message: `unknown preset "${name}"${suggestion ? ` (did you mean "${suggestion}"?)` : ` (presets: ${PRESET_NAMES.join(", ")})`}`,
        path: at,
      });
      return m;
    }
    const options = presetOptions(m["preset"]);
    if (!preset.gpu && options.source !== "aiwatch") {
      problems.push({
        code: "invalid-value",
        message: `preset "${name}" reads aiwatch's metrics only; \`source\` applies to GPU presets`,
        path: ["monitors", index, "preset", "source"],
      });
      return m;
    }
    const fields = preset.fields(options);
    const own = typeof m["name"] === "string" ? m["name"] : name;
    const related = preset.related
      .map((r) => present.get(`preset:${r}`) ?? present.get(r))
      .filter((r): r is string => r !== undefined && r !== own);
    const merged: Fields = {
      name,
      ...fields,
      ...(related.length > 0 ? { related: [...new Set(related)] } : {}),
      ...m,
    };
    if (isRecord(fields["detector"]) && isRecord(m["detector"])) {
      const sameType =
        m["detector"]["type"] === undefined || m["detector"]["type"] === fields["detector"]["type"];
      merged["detector"] = sameType ? { ...fields["detector"], ...m["detector"] } : m["detector"];
    }
    if (isRecord(fields["labels"]) && isRecord(m["labels"]))
      merged["labels"] = { ...fields["labels"], ...m["labels"] };
    return merged;
  });
  return { value: { ...value, monitors: expanded }, problems };
}

function presetName(reference: unknown): string | undefined {
  if (typeof reference === "string") return reference;
  if (isRecord(reference) && typeof reference["name"] === "string") return reference["name"];
  return undefined;
}

function presetOptions(reference: unknown): PresetOptions {
  if (!isRecord(reference)) return { source: "aiwatch", hostnameLabel: "Hostname" };
  const source = reference["source"] === "dcgm" ? "dcgm" : "aiwatch";
  const label = reference["hostname_label"];
  const hostnameLabel: HostnameLabel = HOSTNAME_LABELS.find((l) => l === label) ?? "Hostname";
  return { source, hostnameLabel };
}
