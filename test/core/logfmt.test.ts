import { describe, expect, it } from "vitest";
import { createLogger } from "../../core/log/logger.js";
import { formatLogfmt } from "../../core/log/logfmt.js";

describe("logfmt lines", () => {
  it("quote what would break a key=value split, and nothing else", () => {
    expect(
      formatLogfmt({
        ts: "2026-01-01T00:00:00.000Z",
        level: "info",
        msg: "exporter listening",
        url: "http://127.0.0.1:9401",
        empty: "",
        eq: "a=b",
        quote: 'say "hi"',
        newline: "two\nlines",
        count: 3,
        ok: true,
        nothing: null,
        skipped: undefined,
        list: ["training", "gpu"],
        error: new Error("boom here"),
        "odd key": 1,
      }),
    ).toBe(
      'ts=2026-01-01T00:00:00.000Z level=info msg="exporter listening" url=http://127.0.0.1:9401 empty="" eq="a=b" quote="say \\"hi\\"" newline="two\\nlines" count=3 ok=true nothing=null list="[\\"training\\",\\"gpu\\"]" error="boom here" odd_key=1',
    );
  });

  it("keep the logger's redaction and level threshold", () => {
    const lines: string[] = [];
    const logger = createLogger({
      component: "exporter",
      format: "logfmt",
      level: "warn",
      write: (line) => lines.push(line),
      now: () => new Date(0),
      secrets: () => ["t0ken-value"],
    });
    logger.info("hidden");
    logger.warn("posting failed", { url: "https://hooks.example/t0ken-value" });
    expect(lines).toEqual([
      'ts=1970-01-01T00:00:00.000Z level=warn component=exporter msg="posting failed" url=https://hooks.example/<redacted>\n',
    ]);
  });
});
