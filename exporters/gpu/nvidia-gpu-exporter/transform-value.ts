/**
 * nvidia_gpu_exporter's reading of a printed value (TransformFieldValue and
 * TransformRawValue, internal/nvidiasmi/transform.go at e656cd8), undefined where it
 * exports nothing: enum fields by their NVML integer, hexadecimal, the two-state words,
 * compute modes, else the one number in the text, scaled (`P0` is 0, `433.78 W` 433.78;
 * text with no number or with two, such as a date, is not exported).
 */
export function transformFieldValue(
  field: string,
  raw: string,
  multiplier: number,
): number | undefined {
  const enumTable = ENUM_FIELDS[field];
  if (enumTable) return enumTable.get(raw.trim().toLowerCase());
  return transformRawValue(raw, multiplier);
}

export function transformRawValue(raw: string, multiplier: number): number | undefined {
  const trimmed = raw.trim();
  if (trimmed.startsWith("0x")) {
    // Go's strconv.ParseUint(s, 16, 64): hex digits only, at most 64 bits.
    const digits = trimmed.replaceAll("0x", "").replaceAll("0X", "");
    if (!/^[0-9a-fA-F]{1,16}$/.test(digits)) return undefined;
    return Number(BigInt(`0x${digits}`));
  }
  const word = WORDS.get(trimmed.toLowerCase());
  if (word !== undefined) return word;
  const numbers = trimmed.toLowerCase().match(/[+-]?(\d*[.])?\d+/g) ?? [];
  if (numbers.length !== 1) return undefined;
  const scaled = Number(numbers[0]) * multiplier;
  return Number.isFinite(scaled) ? scaled : undefined;
}

const WORDS = new Map<string, number>([
  ["enabled", 1],
  ["yes", 1],
  ["active", 1],
  ["disabled", 0],
  ["no", 0],
  ["not active", 0],
  ["default", 0],
  ["exclusive_thread", 1],
  ["prohibited", 2],
  ["exclusive_process", 3],
]);

/** Fields whose value is an NVML enum name; unknown and absent values are not exported. */
const ENUM_FIELDS: Readonly<Record<string, ReadonlyMap<string, number>>> = {
  gpu_recovery_action: new Map([
    ["none", 0],
    ["gpu reset", 1],
    ["reset", 1],
    ["node reboot", 2],
    ["reboot", 2],
    ["drain p2p", 3],
    ["drain and reset", 4],
  ]),
  "fabric.state": new Map([
    ["not supported", 0],
    ["not started", 1],
    ["in progress", 2],
    ["completed", 3],
  ]),
};

/** Values nvidia-smi prints for "cannot be read here": per-process rows skip them. */
export function isKnownAbsentValue(raw: string): boolean {
  return [
    "",
    "n/a",
    "[n/a]",
    "[not supported]",
    "[insufficient permissions]",
    "[unknown error]",
  ].includes(raw.trim().toLowerCase());
}

/** nvidia_gpu_exporter's `uuid` label: lower case, without the `GPU-` prefix. */
export function normaliseUuid(raw: string): string {
  const lower = raw.trim().toLowerCase();
  return lower.startsWith("gpu-") ? lower.slice(4) : lower;
}

/** The `CUDA Version` (or `CUDA UMD Version`) of `nvidia-smi --version`, else "". */
export function parseCudaVersion(output: string): string {
  let legacy = "";
  for (const line of output.split("\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const value = line.slice(colon + 1).trim();
    if (!/^[0-9]+\.[0-9]+$/.test(value)) continue;
    const key = line.slice(0, colon).trim().split(/\s+/).join(" ").toLowerCase();
    if (key === "cuda umd version") return value;
    if (key === "cuda version") legacy = value;
  }
  return legacy;
}
