/**
 * nvidia_gpu_exporter's metric name for a `--query-gpu` column, and the multiplier from
 * the printed unit to the name's: a port of BuildFQNameAndMultiplier and knownUnitSuffixes
 * (internal/exporter/exporter.go at e656cd8) and util.ToSnakeCase, so the names are the
 * ones its dashboards and alert rules query.
 */
const UNIT_SUFFIXES: readonly { suffix: string; nameSuffix: string; multiplier: number }[] = [
  { suffix: " [W]", nameSuffix: "_watts", multiplier: 1 },
  { suffix: " [MHz]", nameSuffix: "_clock_hz", multiplier: 1000000 },
  { suffix: " [MiB]", nameSuffix: "_bytes", multiplier: 1048576 },
  { suffix: " [%]", nameSuffix: "_ratio", multiplier: 0.01 },
  { suffix: " [us]", nameSuffix: "_seconds", multiplier: 0.000001 },
  { suffix: " [ms]", nameSuffix: "_seconds", multiplier: 0.001 },
  { suffix: " [seconds]", nameSuffix: "_seconds", multiplier: 1 },
  { suffix: " [W/s]", nameSuffix: "_watts_per_second", multiplier: 1 },
];

export const NVIDIA_SMI_PREFIX = "nvidia_smi";

export interface NvidiaSmiName {
  /** `nvidia_smi_memory_used_bytes`, or "" when the column yields no name. */
  readonly name: string;
  readonly multiplier: number;
}

/** `header` is the column's header cell as printed (`memory.used [MiB]`). */
export function nvidiaSmiName(header: string): NvidiaSmiName {
  let name = header;
  let multiplier = 1;
  const bare = header.split(" ")[0] ?? "";
  const unit = UNIT_SUFFIXES.find((u) => header.endsWith(u.suffix));
  if (unit) {
    name = bare + unit.nameSuffix;
    multiplier = unit.multiplier;
  }
  name = toSnakeCase(name.replaceAll(".", "_"));
  // An unknown unit (`x [GB]`) becomes `_gb`, as upstream's best effort does.
  name = name.replaceAll(" [", "_").replaceAll("]", "");
  name = name.replace(/[^a-zA-Z0-9_:]+/g, "_");
  return { name: name === "" ? "" : `${NVIDIA_SMI_PREFIX}_${name}`, multiplier };
}

/** Go's util.ToSnakeCase: `averageFps` → `average_fps`, `sessionCount` → `session_count`. */
export function toSnakeCase(text: string): string {
  return text
    .replace(/(.)([A-Z][a-z]+)/g, "$1_$2")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase();
}
