/**
 * Platforms state their limits in different units: DingTalk, WeCom, Feishu and Teams in
 * UTF-8 bytes (a CJK character is 3 of them), Slack and Discord in characters (UTF-16 code
 * units in practice, which is how their servers count). Trimming must cut on a character
 * boundary in either unit.
 */
export type SizeUnit = "utf8-bytes" | "characters";

export function measureText(text: string, unit: SizeUnit): number {
  return unit === "utf8-bytes" ? Buffer.byteLength(text, "utf8") : text.length;
}

/** The longest prefix of `text` that fits `limit` units once `suffix` is appended. */
export function truncateToUnits(text: string, limit: number, unit: SizeUnit, suffix = "…"): string {
  if (measureText(text, unit) <= limit) return text;
  const room = limit - measureText(suffix, unit);
  if (room <= 0) return "";
  let out = "";
  let used = 0;
  for (const char of text) {
    const size = measureText(char, unit);
    if (used + size > room) break;
    out += char;
    used += size;
  }
  return out + suffix;
}
