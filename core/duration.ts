/**
 * Prometheus durations (`1h30m`, `90s`, `1d`): the same grammar as Prometheus's
 * model.ParseDuration, so anything accepted here is accepted by Prometheus too.
 */
const UNITS = [
  ["y", 365 * 24 * 3600_000],
  ["w", 7 * 24 * 3600_000],
  ["d", 24 * 3600_000],
  ["h", 3600_000],
  ["m", 60_000],
  ["s", 1000],
  ["ms", 1],
] as const;

const DURATION_PATTERN =
  /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Milliseconds, or undefined when the text is not a Prometheus duration. */
export function parseDuration(text: string): number | undefined {
  if (text === "0") return 0;
  if (text === "") return undefined;
  const match = DURATION_PATTERN.exec(text);
  if (!match) return undefined;
  let total = 0;
  UNITS.forEach(([, ms], index) => {
    const amount = match[index + 1];
    if (amount !== undefined) total += Number(amount) * ms;
  });
  return total;
}

/** The canonical text Prometheus prints for a duration (largest units first, `0s` for zero). */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  let rest = ms;
  let out = "";
  for (const [unit, size] of UNITS) {
    const amount = Math.floor(rest / size);
    if (amount > 0) {
      out += `${amount}${unit}`;
      rest -= amount * size;
    }
  }
  return out;
}

export const DURATION_SYNTAX_HINT = "a Prometheus duration such as 30s, 5m, 1h30m or 1d";
