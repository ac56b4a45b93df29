import { createHash } from "node:crypto";
import type { DriftProfile } from "./drift-profile.js";

/**
 * The hash of what a profile says about the data: its format version, row count,
 * settings and features, in canonical JSON (keys sorted). Where and when it was built,
 * and its version label, are left out, so the same data gives the same hash.
 */
export function profileContentHash(
  profile: Pick<DriftProfile, "format_version" | "rows" | "settings" | "features">,
): string {
  const canonical = canonicalJson({
    format_version: profile.format_version,
    rows: profile.rows,
    settings: profile.settings,
    features: profile.features,
  });
  return `sha256:${createHash("sha256").update(canonical).digest("hex")}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
