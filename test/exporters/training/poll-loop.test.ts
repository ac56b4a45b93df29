import { describe, expect, it } from "vitest";
import { memoryLogger } from "../../../core/log/logger.js";
import type { CollectorHealth } from "../../../exporters/process/collector-health.js";
import { PollLoop, failureReason } from "../../../exporters/training/tailers/poll-loop.js";
import type { Pollable } from "../../../exporters/training/tailers/poll-loop.js";
import { waitFor } from "../../support/wait-for.js";

function recordingHealth(): CollectorHealth & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    succeeded: () => events.push("up"),
    failed: (reason) => events.push(`down:${reason}`),
    rejected: (reason) => events.push(`rejected:${reason}`),
  };
}

function source(name: string, outcomes: (Error | undefined)[]): Pollable {
  return {
    name,
    poll: () => {
      const outcome = outcomes.shift();
      return outcome ? Promise.reject(outcome) : Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}

const denied = Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });

describe("the poll loop", () => {
  it("is down while any source fails, counts each failure, and logs state changes only", async () => {
    const health = recordingHealth();
    const logger = memoryLogger();
    const failing = source("a", [denied, denied, undefined]);
    const fine = source("b", [undefined, undefined, undefined]);
    const loop = new PollLoop(
      [
        { source: failing, intervalMs: 5 },
        { source: fine, intervalMs: 3_600_000 },
      ],
      health,
      logger,
      () => 0,
    );
    await loop.start();
    expect(health.events.slice(0, 1)).toEqual(["down:permission_denied"]);
    // Fails once more, then recovers: only then is the collector up again.
    await waitFor("the failing source to recover", () =>
      health.events.includes("up") ? true : undefined,
    );
    expect(health.events.slice(0, 3)).toEqual([
      "down:permission_denied",
      "down:permission_denied",
      "up",
    ]);
    expect(logger.lines.filter((l) => l.includes("source failed"))).toHaveLength(1);
    expect(logger.lines.filter((l) => l.includes("source recovered"))).toHaveLength(1);
    await loop.stop();
  });

  it("names reasons with short fixed words", () => {
    expect(failureReason(Object.assign(new Error("x"), { code: "ENOENT" }))).toBe("not_found");
    expect(failureReason(Object.assign(new Error("x"), { reason: "parse_error" }))).toBe(
      "parse_error",
    );
    expect(failureReason(new Error("odd"))).toBe("read_error");
  });
});
