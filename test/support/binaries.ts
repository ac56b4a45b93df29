import { findBinary } from "../../core/find-binary.js";

const inCi = process.env["CI"] === "true";

/**
 * Paths of real binaries a test needs. Where one is missing the test is skipped with a
 * visible notice, except under CI=true, where a missing binary fails the run: CI must
 * prove the real thing, never silently skip it.
 */
export function requireBinaries<const Names extends readonly string[]>(
  ...names: Names
): { readonly available: boolean; readonly paths: Record<Names[number], string> } {
  const paths = {} as Record<string, string>;
  const missing: string[] = [];
  for (const name of names) {
    const candidates =
      name === "alertmanager" ? ["prometheus-alertmanager", "alertmanager"] : [name];
    const path = findBinary(candidates, process.env);
    if (path) paths[name] = path;
    else missing.push(name);
  }
  if (missing.length > 0) {
    const message = `missing ${missing.join(", ")}: run scripts/install-deps.sh, which installs them from Debian packages`;
    if (inCi) throw new Error(`CI=true and ${message}`);
    console.warn(`SKIPPED: ${message}`);
  }
  return { available: missing.length === 0, paths: paths };
}
