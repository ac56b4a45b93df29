import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The device minor number (`/dev/nvidia<N>`), which dcgm-exporter's `device` label is
 * made of, from `/proc/driver/nvidia/gpus/<pci>/information`; nvidia-smi's query fields
 * do not include it. Undefined when the file cannot be read (then `device` stays empty
 * rather than guessed from the index).
 */
export function readDeviceMinor(procDir: string, pciBusId: string): string | undefined {
  const match = /^([0-9A-Fa-f]+):([0-9A-Fa-f]{2}):([0-9A-Fa-f]{2})\.([0-9A-Fa-f])$/.exec(
    pciBusId.trim(),
  );
  if (!match) return undefined;
  const domain = (match[1] ?? "").slice(-4).padStart(4, "0");
  const dir = `${domain}:${match[2]}:${match[3]}.${match[4]}`.toLowerCase();
  try {
    const text = readFileSync(join(procDir, dir, "information"), "utf8");
    return /^Device Minor:\s*(\d+)\s*$/m.exec(text)?.[1];
  } catch {
    return undefined;
  }
}
