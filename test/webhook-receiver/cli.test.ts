import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../cli/main.js";
import { requireFixtures, repoPath } from "../support/fixtures.js";
import { expectGolden } from "../support/golden.js";
import { makeTempDir } from "../support/temp-dir.js";
import type { TempDir } from "../support/temp-dir.js";
import { waitFor } from "../support/wait-for.js";
import { configHead, startHarness } from "./receiver-harness.js";
import { webhookPayload } from "./sample-notifications.js";

let dir: TempDir;
beforeEach(() => {
  dir = makeTempDir("receiver-cli");
});
afterEach(() => dir.remove());

async function cli(args: string[], env: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd: dir.path,
    env: { RECEIVER_TOKEN: "test-token-0123456789", ...env },
  });
  return { code, stdout, stderr };
}

const fixtures = requireFixtures("alertmanager/payloads/with_common_items.json");

describe("aiwatch receiver", () => {
  it.skipIf(!fixtures.available)(
    "preview renders what each routed destination would receive, with no secrets set",
    async () => {
      const payload = join(fixtures.dir, "alertmanager/payloads/with_common_items.json");
      const result = await cli([
        "receiver",
        "preview",
        payload,
        "--config",
        repoPath("examples", "receiver.yaml"),
        "--now",
        "2026-11-22T04:00:00Z",
      ]);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      // severity=warning, no layer or team label: only the default route matches.
      expect(result.stdout).toMatch(/^== platform-teams \(teams\) via default_route/m);
      expect(result.stdout).toMatch(/^== stdout \(console\) via default_route/m);
      expectGolden(
        new URL("golden/preview-with_common_items.txt", import.meta.url).pathname,
        result.stdout,
      );
    },
  );

  it("preview reports an invalid payload with its field paths", async () => {
    const payload = join(dir.path, "bad.json");
    writeFileSync(payload, JSON.stringify({ version: "4", alerts: [] }));
    const result = await cli([
      "receiver",
      "preview",
      payload,
      "--config.file",
      repoPath("examples", "receiver.yaml"),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'bad.json: error missing-key: receiver: missing required field "receiver" in the payload',
    );
    expect(result.stderr).toContain(
      "bad.json: error invalid-value: alerts: expected at least one alert",
    );
  });

  it("preview reports a payload that is not JSON at its line and column", async () => {
    const payload = join(dir.path, "broken.json");
    writeFileSync(payload, '{\n  "version": "4",\n  receiver: "x"\n}\n');
    const result = await cli([
      "receiver",
      "preview",
      payload,
      "--config.file",
      repoPath("examples", "receiver.yaml"),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `${payload}:3:3: error invalid-json: not valid JSON: Expected double-quoted property name\n`,
    );
  });

  it("report, dead-letters and replay work on the database of a receiver", async () => {
    const yaml = `${configHead(dir.path)}delivery:\n  max_attempts: 1\ndestinations:\n  - { name: broken, type: webhook, url: { env: BROKEN_URL } }\ndefault_route:\n  destinations: [broken]\n`;
    // A closed port: every delivery fails at once and, with one attempt allowed, is dead.
    const harness = await startHarness(dir.path, yaml, {
      env: { BROKEN_URL: "http://127.0.0.1:9/hook" },
    });
    await harness.post(
      webhookPayload({ alerts: [{ name: "GpuXidError", labels: { severity: "critical" } }] }),
    );
    await harness.post(
      webhookPayload({
        alerts: [{ name: "GpuXidError", labels: { severity: "critical" }, status: "resolved" }],
      }),
    );
    await waitFor("two dead letters", () =>
      harness.receiver.outbox.deadLetters().length === 2 ? true : undefined,
    );
    await harness.receiver.stop();
    const config = join(dir.path, "receiver.yaml");
    const env = { BROKEN_URL: "http://127.0.0.1:9/hook" };

    const report = await cli(["receiver", "report", "--config.file", config, "--since", "7d"], env);
    expect(report.code).toBe(0);
    expect(report.stdout).toMatch(/2 notifications/);
    expect(report.stdout).toMatch(/GpuXidError\s+critical\s+1\s+2/);

    const dead = await cli(["receiver", "dead-letters", "--config.file", config], env);
    expect(dead.stdout).toMatch(/2 dead letters/);
    expect(dead.stdout).toContain("gave up after 1 attempts: network error");
    expect(dead.stdout).not.toContain("127.0.0.1:9");

    expect((await cli(["receiver", "replay", "--config.file", config], env)).code).toBe(2);
    const replay = await cli(["receiver", "replay", "--config.file", config, "--all"], env);
    expect(replay.stdout).toBe("2 dead letters put back in the outbox\n");
    expect((await cli(["receiver", "dead-letters", "--config.file", config], env)).stdout).toMatch(
      /0 dead letters/,
    );
  });

  it("check validates a config; bad arguments are usage errors", async () => {
    const check = await cli([
      "receiver",
      "check",
      "--config.file",
      repoPath("examples", "receiver.yaml"),
    ]);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(
      /receiver\.yaml:\d+:\d+: error secret-unresolved: environment variable AIWATCH_RECEIVER_TOKEN is not set or empty/,
    );
    expect((await cli(["receiver", "bogus"])).code).toBe(2);
    expect((await cli(["receiver", "report", "--config.file", "x", "--since", "soon"])).code).toBe(
      2,
    );
    expect((await cli(["receiver", "--help"])).stdout).toContain("aiwatch receiver preview");
  });
});
