import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../core/duration.js";

describe("Prometheus durations", () => {
  it.each([
    ["0", 0],
    ["15s", 15_000],
    ["1h30m", 5_400_000],
    ["1d", 86_400_000],
    ["2w", 1_209_600_000],
    ["1y", 31_536_000_000],
    ["500ms", 500],
    ["1m30s500ms", 90_500],
  ])("parses %s", (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(["", "5", "1hour", "-1m", "1.5h", "1m1h", "15 s", "1H"])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it.each([
    [0, "0s"],
    [90_000, "1m30s"],
    [5_400_000, "1h30m"],
    [86_400_000, "1d"],
    [90_061_000, "1d1h1m1s"],
  ])("formats %d ms as %s", (ms, text) => expect(formatDuration(ms)).toBe(text));
});
