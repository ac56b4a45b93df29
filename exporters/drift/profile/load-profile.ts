import { readFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import type { Diagnostic } from "../../../core/diagnostics/diagnostic.js";
import { formatFieldPath } from "../../../core/diagnostics/format.js";
import { profileContentHash } from "./content-hash.js";
import type { DriftProfile } from "./drift-profile.js";
import { profileSchema } from "./profile-schema.js";

export type ProfileLoadResult =
  | { readonly ok: true; readonly profile: DriftProfile }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

export async function loadProfileFile(path: string): Promise<ProfileLoadResult> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    return failure(path, "io-error", `cannot read profile: ${errorCode(error)}`);
  }
  return parseProfile(path, text);
}

/** The synchronous form, for config validation (which reports at the config's position). */
export function loadProfileFileSync(path: string): ProfileLoadResult {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    return failure(path, "io-error", `cannot read profile: ${errorCode(error)}`);
  }
  return parseProfile(path, text);
}

/**
 * Parses and checks a profile: its shape, the invariants binned statistics rely on, and
 * its content hash, so a hand-edited or truncated profile is refused rather than trusted.
 */
export function parseProfile(file: string, text: string): ProfileLoadResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return failure(file, "invalid-json", `profile is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = profileSchema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      diagnostics: parsed.error.issues.map((issue) => ({
        code: "invalid-profile",
        severity: "error" as const,
        message: `${formatFieldPath(issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))) || "profile"}: ${issue.message}`,
        file,
        path: issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
      })),
    };
  }
  const profile = parsed.data as DriftProfile;
  const problems = invariantProblems(profile);
  if (problems.length > 0)
    return {
      ok: false,
      diagnostics: problems.map((message) => ({
        code: "invalid-profile",
        severity: "error",
        message,
        file,
      })),
    };
  const expected = profileContentHash(profile);
  if (expected !== profile.content_hash)
    return failure(
      file,
      "hash-mismatch",
      `content_hash is ${profile.content_hash} but the statistics hash to ${expected}: the profile was edited or damaged; rebuild it with aiwatch drift profile`,
    );
  return { ok: true, profile };
}

function invariantProblems(profile: DriftProfile): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  profile.features.forEach((feature, index) => {
    const at = `features[${index}] (${feature.name})`;
    if (names.has(feature.name)) problems.push(`${at}: duplicate feature name`);
    names.add(feature.name);
    if (feature.type !== "numeric") {
      const counted = feature.categories.reduce((sum, [, n]) => sum + n, feature.other);
      if (counted !== feature.count)
        problems.push(`${at}: category counts and other must add up to count ${feature.count}`);
      return;
    }
    const { edges, counts, sums, bins } = feature;
    if (edges.some((edge, i) => i > 0 && !(edge > (edges[i - 1] ?? -Infinity))))
      problems.push(`${at}: edges must increase strictly`);
    if (counts.length !== edges.length + 1 || sums.length !== edges.length + 1)
      problems.push(`${at}: counts and sums need edges.length + 1 = ${edges.length + 1} entries`);
    const edgeSet = new Set(edges);
    if (bins.some((edge) => !edgeSet.has(edge))) problems.push(`${at}: bins must be among edges`);
    if (counts.reduce((a, b) => a + b, 0) !== feature.count)
      problems.push(`${at}: counts must add up to count ${feature.count}`);
  });
  return problems;
}

function failure(file: string, code: string, message: string): ProfileLoadResult {
  return { ok: false, diagnostics: [{ code, severity: "error", message, file }] };
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}
