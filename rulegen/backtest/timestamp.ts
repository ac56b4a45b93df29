/** `2015-02-26 21:42:53` or `2011-07-11T04:00:01.000000`: a date and time with no zone. */
const ZONELESS = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;

/**
 * A timestamp as Unix milliseconds: Unix seconds (fractions allowed) or RFC 3339. A date
 * and time without a zone (NAB's and most CSV exports' form) is read as UTC, never as the
 * machine's local time, so the same file gives the same times everywhere.
 */
export function parseTimestamp(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const zoneless = ZONELESS.exec(trimmed);
  // Date.parse reads at most milliseconds; NAB writes microseconds.
  const iso = zoneless
    ? `${zoneless[1]}T${(zoneless[2] ?? "").replace(/(\.\d{3})\d+$/, "$1")}Z`
    : trimmed;
  const parsed = Date.parse(iso);
  return Number.isFinite(parsed) ? parsed : undefined;
}
