import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/**
 * Finds an executable: an explicit path wins, then an environment override, then PATH.
 * Debian's packages install `prometheus-alertmanager`, not `alertmanager`, so callers may
 * give several names.
 */
export function findBinary(
  names: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  explicit?: string,
): string | undefined {
  if (explicit) return isExecutable(explicit) ? explicit : undefined;
  for (const dir of (env["PATH"] ?? "").split(delimiter)) {
    if (dir === "") continue;
    for (const name of names) {
      const candidate = join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
