import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli/main.js";
import { makeTempDir } from "../support/temp-dir.js";

const temp = makeTempDir("demo-cli");
afterAll(() => temp.remove());

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runCli(argv, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    cwd: temp.path,
    env: {},
  });
  return { code, out, err };
}

/** What the demo refuses before it starts anything. */
describe("aiwatch demo's arguments", () => {
  it.each([
    ["not-there.yaml", "", "not-there.yaml: cannot read: ENOENT"],
    ["empty.yaml", "other: 1\n", "expected a non-empty `destinations:` list"],
    ["scalars.yaml", "destinations: [slack]\n", "every destination must be a mapping"],
    [
      "terminal.yaml",
      "destinations:\n  - { name: terminal, type: console }\n",
      'the name "terminal" is the demo\'s own',
    ],
  ])("refuses --destinations %s", async (file, content, message) => {
    if (content) writeFileSync(join(temp.path, file), content);
    const run = await cli(["demo", "--destinations", file]);
    expect(run.code).toBe(1);
    expect(run.err).toContain(message);
  });

  it.each([
    [["demo", "workload"]],
    [["demo", "workload", "--exporter-url", "ftp://x", "--ingest-token-file", "t"]],
    [["demo", "workload", "--exporter-url", "http://x:9401"]],
    [
      [
        "demo",
        "workload",
        "--exporter-url",
        "http://x:9401",
        "--ingest-token-file",
        "t",
        "--inference.listen-address",
        "nope",
      ],
    ],
    [["demo", "--linger", "-1"]],
  ])("exits 2 on usage errors: %j", async (argv) => {
    const run = await cli(argv);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/--|Usage/);
  });

  it("says which token file it cannot read", async () => {
    const run = await cli([
      "demo",
      "workload",
      "--exporter-url",
      "http://127.0.0.1:9",
      "--ingest-token-file",
      "missing-token",
    ]);
    expect(run.code).toBe(1);
    expect(run.err).toContain("cannot read --ingest-token-file missing-token: ENOENT");
  });

  it("prints its usage with --help, for the demo and for the workload", async () => {
    for (const argv of [
      ["demo", "--help"],
      ["demo", "workload", "--help"],
    ]) {
      const run = await cli(argv);
      expect(run.code).toBe(0);
      expect(run.out).toContain("aiwatch demo workload --exporter-url URL");
    }
  });
});
