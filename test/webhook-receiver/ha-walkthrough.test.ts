import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProcess } from "../../core/run-process.js";
import { docBlocks } from "../support/doc-blocks.js";
import { repoPath } from "../support/fixtures.js";
import { freePort } from "../support/free-port.js";
import { databaseName, requirePostgres, startTestPostgres } from "../support/postgres.js";
import type { PostgresInstance } from "../support/postgres.js";
import { makeTempDir } from "../support/temp-dir.js";

const postgres = requirePostgres();
const blocks = docBlocks("webhook-receiver.md");
const walkthrough = blocks.findIndex((b) => b.lang === "sh" && b.text.includes("kill -9 $A"));
const script = blocks[walkthrough]?.text ?? "";
const expected = blocks[walkthrough + 1]?.text ?? "";

/** docs/webhook-receiver.md's HA walk-through, run as written against a real PostgreSQL. */
describe.skipIf(!postgres.available)("the HA walk-through (docs/webhook-receiver.md)", () => {
  let server: PostgresInstance | undefined;
  const dir = makeTempDir("ha-walkthrough");
  beforeAll(async () => {
    server = await startTestPostgres();
  });
  afterAll(async () => {
    await server?.stop();
    dir.remove();
  });

  it("stores the pair's copy once, goes on after a kill -9, and sends each alert once", async () => {
    if (!server) throw new Error("PostgreSQL did not start");
    expect(script).toContain("export POSTGRES_URL=");
    const url = await server.createDatabase(databaseName("walk"));
    const [a, b] = [await freePort(), await freePort()];
    // Only what the reader fills in: the database, and free ports instead of 9095/9096.
    const runnable = script
      .replace(/^export POSTGRES_URL=.*$/m, `export POSTGRES_URL='${url}'`)
      .replaceAll("9095", String(a))
      .replaceAll("9096", String(b));
    const bin = join(dir.path, ".bin");
    mkdirSync(bin);
    writeFileSync(
      join(bin, "aiwatch"),
      `#!/bin/sh\nexec "${process.execPath}" "${repoPath("bin", "aiwatch.js")}" "$@"\n`,
    );
    chmodSync(join(bin, "aiwatch"), 0o755);
    const result = await runProcess("bash", ["-euo", "pipefail", "-c", runnable], {
      cwd: dir.path,
      env: { ...process.env, PATH: `${bin}:${process.env["PATH"] ?? ""}` },
      timeoutMs: 120_000,
      killProcessGroup: true,
    });
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    const lines = result.stdout.trim().split("\n");
    // The answers the comments in the walk-through promise, in order.
    const promised = [...script.matchAll(/^post \S+ \S+ +# (\{.*\})$/gm)].map((m) => m[1]);
    expect(promised).toHaveLength(3);
    expect(lines.filter((l) => l.startsWith("{"))).toEqual(promised);
    // Each alert's message once, as the block after it shows.
    expect(lines.filter((l) => l.startsWith("--- out: "))).toEqual(expected.trim().split("\n"));
  }, 150_000);
});
