import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCli } from "../../cli/main.js";
import { requireBinaries } from "../support/binaries.js";
import { docBlocks } from "../support/doc-blocks.js";
import { fixturesDir, repoPath, requireFixtures } from "../support/fixtures.js";

/**
 * docs/rulegen.md's Detection quality section gives the command that reproduces its NAB
 * table and the output it prints: run it on the NAB development set and expect that output.
 */
const blocks = docBlocks("rulegen.md");
const index = blocks.findIndex(
  (b, i) =>
    b.lang === "sh" &&
    b.text.startsWith("aiwatch rules backtest examples/backtest/anomaly.yaml") &&
    blocks[i + 1]?.lang === "",
);
const command = blocks[index];
const printed = blocks[index + 1];

const fixtures = requireFixtures("nab-dev/data", "nab-dev/labels/windows.json");
const { available } = requireBinaries("prometheus");

describe.skipIf(!fixtures.available || !available)("the documented NAB backtest", () => {
  it("prints the table docs/rulegen.md shows", async () => {
    expect(command, "the command and its output in docs/rulegen.md").toBeDefined();
    expect(printed).toBeDefined();
    const shared = "../shared/fixtures";
    const args = (command?.text ?? "")
      .replace(/\\\n/g, " ")
      .trim()
      .split(/\s+/)
      .slice(1)
      .map((a) => a.replace(shared, fixturesDir()));
    const out: string[] = [];
    const code = await runCli(args, {
      stdout: (t) => out.push(t),
      stderr: () => undefined,
      cwd: repoPath(),
      env: process.env,
    });
    expect(code).toBe(0);
    const text = out.join("").split(fixturesDir()).join(shared);
    // The docs show the summary and the per-category table; the per-series lines follow.
    const shown = printed?.text ?? "";
    expect(text.slice(0, shown.length)).toBe(shown);
    expectReadmeTable(text);
  }, 180_000);
});

/** The README's table: each category's and the total's figures as the backtest printed them. */
function expectReadmeTable(printedText: string): void {
  const readme = readFileSync(repoPath("README.md"), "utf8");
  const table = readme.slice(
    readme.indexOf("<!-- detection-quality:begin -->"),
    readme.indexOf("<!-- detection-quality:end -->"),
  );
  const rows = table
    .split("\n")
    .filter((l) => l.startsWith("| ") && !l.startsWith("| category") && !l.startsWith("| --"))
    .map((l) =>
      l
        .split("|")
        .map((c) => c.replace(/\*/g, "").trim())
        .filter((c) => c !== ""),
    );
  expect(rows.map((r) => r[0])).toEqual(["realAdExchange", "realTraffic", "realTweets", "total"]);
  for (const [name = "", windows, standard, lowFp, lowFn, perDay] of rows) {
    if (name === "total") {
      expect(printedText).toContain(
        `NAB standard ${standard}, reward_low_FP_rate ${lowFp}, reward_low_FN_rate ${lowFn}`,
      );
      expect(printedText).toContain(`windows detected ${windows};`);
      expect(printedText).toContain(`(${perDay} per series-day)`);
    } else {
      const line = printedText.split("\n").find((l) => l.trim().startsWith(`${name} `)) ?? "";
      expect(line.trim().split(/\s+/).slice(2), name).toEqual([
        windows,
        standard,
        lowFp,
        lowFn,
        perDay,
      ]);
    }
  }
}
