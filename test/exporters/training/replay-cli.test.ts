import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../../cli/main.js";
import { requireBinaries } from "../../support/binaries.js";
import { repoPath, requireFixtures } from "../../support/fixtures.js";
import { makeTempDir } from "../../support/temp-dir.js";

const fixtures = requireFixtures("training-dev/PROVENANCE.md");
const { available: promtool } = requireBinaries("promtool");
const temp = makeTempDir("replay-cli");
afterAll(() => temp.remove());

async function cli(args: string[], cwd = repoPath()) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd,
    env: process.env,
  });
  return { code, stdout, stderr };
}

/** A page's replay example: its command line and the output printed under it. */
function docsExample(page: string): { args: string[]; output: string } {
  const docs = readFileSync(repoPath(page), "utf8");
  const block = docs.slice(
    docs.indexOf("<!-- training-replay-example:begin -->"),
    docs.indexOf("<!-- training-replay-example:end -->"),
  );
  const body = /```console\n([\s\S]*?)```/.exec(block)?.[1] ?? "";
  const [command = "", ...output] = body.split("\n");
  const args = command.replace(/^\$ aiwatch /, "").split(" ");
  return { args, output: output.join("\n") };
}

describe.skipIf(!(fixtures.available && promtool))("aiwatch training replay", () => {
  it.each(["README.md", "docs/training.md"])(
    "prints what %s shows, on the real log it names",
    async (page) => {
      const { args, output } = docsExample(page);
      // The docs name the fixtures beside the repository; AIWATCH_FIXTURES may move them.
      const shared = relative(repoPath(), fixtures.dir);
      const result = await cli(args.map((a) => a.replace("../shared/fixtures", shared)));
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(output);
    },
  );

  it("reads any log through --pattern, and names refused values with file:line", async () => {
    const dir = join(temp.path, "regex");
    mkdirSync(dir, { recursive: true });
    const lines = Array.from({ length: 60 }, (_, i) =>
      i === 45 ? `it ${i} loss=oops` : `it ${i} loss=${i === 40 ? 6 : 3 + (i % 2) * 0.01}`,
    );
    writeFileSync(join(dir, "train.log"), `${lines.join("\n")}\n`);
    const result = await cli(
      itLogReplay("train.log", "--scrape-interval", "30s", "--evaluation-interval", "30s"),
      dir,
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      'train.log:46: invalid_value: loss: expected a number, got "oops"\n',
    );
    expect(result.stdout).toContain(
      "replayed as run_id=train job_name=replay through the training collector",
    );
    // Step 40 is at 80s: the scrape at 90s sees it, the evaluation at 90s fires.
    expect(result.stdout).toContain(
      "TrainingLossSpike: fired at step 45 (1m30s), still firing at the end; events at steps 40",
    );
    expect(result.stdout).toContain(
      'lines or values refused: 1\n  train.log:46: invalid_value: loss: expected a number, got "oops"',
    );
  });

  it("labels the log's records with --rank, and its alerts carry it", async () => {
    const dir = join(temp.path, "rank");
    mkdirSync(dir, { recursive: true });
    const lines = Array.from({ length: 60 }, (_, i) => `it ${i} loss=${i === 40 ? 6 : 3}`);
    writeFileSync(join(dir, "rank1.log"), `${lines.join("\n")}\n`);
    const args = itLogReplay("rank1.log", "--rank", "1");
    const text = await cli(args, dir);
    expect(text.stdout).toContain("replayed as run_id=rank1 job_name=replay rank=1 through");
    const json = await cli([...args, "--output", "json"], dir);
    expect(json.code).toBe(0);
    const summary = JSON.parse(json.stdout) as {
      rank: number;
      alerts: { alertname: string; labels: Record<string, string> }[];
    };
    expect(summary.rank).toBe(1);
    expect(summary.alerts.find((a) => a.alertname === "TrainingLossSpike")?.labels).toMatchObject({
      run_id: "rank1",
      rank: "1",
    });
  });

  it("asks for a step time when the log carries no time", async () => {
    const dir = join(temp.path, "llmc");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "main.log"), "s:0 trl:11.0\ns:1 trl:10.9\n");
    const result = await cli(
      ["training", "replay", "main.log", "--spec", repoPath("examples", "training.yaml")],
      dir,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "main.log: the log carries no time stamps or step durations: give the time one step takes with --step-time\n",
    );
  });
});

describe("aiwatch training replay: usage", () => {
  it("refuses what it cannot do, with the usage", async () => {
    for (const [args, message] of [
      [["replay", "log.txt"], "--spec is required"],
      [["replay", "log.txt", "--spec", "s.yaml", "--format", "csv"], "--format must be one of"],
      [["replay", "log.txt", "--spec", "s.yaml", "--format", "regex"], "--pattern goes with"],
      [
        ["replay", "log.txt", "--spec", "s.yaml", "--step-time", "soon"],
        "--step-time: not a duration",
      ],
      [["replay", "log.txt", "--spec", "s.yaml", "--rank=-1"], "--rank: expected an integer"],
      [["rerun"], 'unknown subcommand "rerun"'],
    ] as const) {
      const result = await cli(["training", ...args]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain("aiwatch training replay LOG --spec SPEC");
    }
  });

  it("names a log it finds no record in", async () => {
    const dir = join(temp.path, "empty");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "notes.txt"), "nothing to see\n");
    const result = await cli(
      ["training", "replay", "notes.txt", "--spec", repoPath("examples", "training.yaml")],
      dir,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("notes.txt: no training records found; give --format");
  });
});

/** `training replay` of a log of `it <step> loss=<value>` lines, 2 s a step, plus `extra`. */
function itLogReplay(file: string, ...extra: string[]): string[] {
  return [
    "training",
    "replay",
    file,
    "--spec",
    repoPath("examples", "training.yaml"),
    "--format",
    "regex",
    "--pattern",
    "^it (?<step>\\d+) loss=(?<loss>\\S+)",
    "--step-time",
    "2s",
    ...extra,
  ];
}
