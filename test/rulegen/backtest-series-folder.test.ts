import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli/main.js";
import { requireBinaries } from "../support/binaries.js";
import { makeTempDir } from "../support/temp-dir.js";

/**
 * `rules backtest --series DIR --windows FILE` on two series: one with a labelled spike,
 * one labelled without anomalies. Both engines (a real Prometheus at each group's
 * interval, and promtool) must find the same episodes, and the NAB figures must follow.
 */
const SPEC = `version: aiwatch/v1
name: folder
defaults: { scrape_interval: 1m, evaluation_interval: 1m, runbook_base_url: https://runbooks.example.com }
monitors:
  - name: anomaly
    layer: model
    signal: value
    detector: { type: anomaly, window: 6h, bucket: 10m, recent: 3h }
`;
const START = Date.parse("2024-03-01T00:00:00Z");
const MIN = 60_000;

function series(spikeAtMinute: number | undefined): string {
  const lines = ["timestamp,value"];
  for (let m = 0; m < 12 * 60; m++) {
    const value = m === spikeAtMinute ? 400 : [90, 100, 110][m % 3];
    lines.push(`${(START + m * MIN) / 1000},${value}`);
  }
  return lines.join("\n") + "\n";
}

const { available } = requireBinaries("prometheus", "promtool");
const temp = makeTempDir("series-folder");
afterAll(() => temp.remove());

interface NabJson {
  engine: string;
  series: { name: string }[];
  nab: {
    monitor: string;
    summary: {
      windows: number;
      detectedWindows: number;
      episodes: number;
      falseEpisodes: number;
      scores: { standard: number };
      withoutWindows: { files: number; falseEpisodes: number };
    };
    files: { file: string; episodes: number }[];
  }[];
  warnings: string[];
}

describe.skipIf(!available)("rules backtest over a folder, scored like NAB", () => {
  const data = join(temp.path, "data");
  mkdirSync(join(data, "a"), { recursive: true });
  mkdirSync(join(data, "b"), { recursive: true });
  writeFileSync(join(data, "a", "one.csv"), series(9 * 60));
  writeFileSync(join(data, "b", "two.csv"), series(undefined));
  const iso = (minute: number): string => new Date(START + minute * MIN).toISOString();
  writeFileSync(
    join(temp.path, "windows.json"),
    JSON.stringify({ "a/one.csv": [[iso(8 * 60 + 50), iso(9 * 60 + 10)]], "b/two.csv": [] }),
  );
  writeFileSync(join(temp.path, "spec.yaml"), SPEC);

  async function backtest(engine: string): Promise<NabJson> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(
      ["rules", "backtest", "spec.yaml", "--series", "data", "--windows", "windows.json"].concat([
        "--engine",
        engine,
        "--json",
      ]),
      {
        stdout: (t) => out.push(t),
        stderr: (t) => err.push(t),
        cwd: temp.path,
        env: process.env,
      },
    );
    expect(err.join("")).toBe("");
    expect(code).toBe(0);
    return JSON.parse(out.join("")) as NabJson;
  }

  it.each(["prometheus", "promtool"])(
    "finds the labelled spike and nothing else (engine %s)",
    async (engine) => {
      const report = await backtest(engine);
      expect(report.engine).toBe(engine);
      expect(report.series.map((s) => s.name)).toEqual(["a/one.csv", "b/two.csv"]);
      const [nab] = report.nab;
      expect(nab?.files.map((f) => [f.file, f.episodes])).toEqual([
        ["a/one.csv", 1],
        ["b/two.csv", 0],
      ]);
      expect(nab?.summary).toMatchObject({
        windows: 1,
        detectedWindows: 1,
        episodes: 1,
        falseEpisodes: 0,
        withoutWindows: { files: 1, falseEpisodes: 0 },
      });
      // Found at the spike, mid-window: worth 0.87 of a window found at its first row.
      expect(nab?.summary.scores.standard).toBeGreaterThan(90);
      expect(report.warnings).toEqual([]);
    },
    240_000,
  );

  it("refuses windows that leave a series out, naming it", async () => {
    writeFileSync(join(temp.path, "partial.json"), JSON.stringify({ "a/one.csv": [] }));
    const err: string[] = [];
    const code = await runCli(
      ["rules", "backtest", "spec.yaml", "--series", "data", "--windows", "partial.json"],
      { stdout: () => undefined, stderr: (t) => err.push(t), cwd: temp.path, env: process.env },
    );
    expect(code).toBe(1);
    expect(err.join("")).toBe(
      "partial.json: no entry for b/two.csv (list a series without anomalies as [])\n",
    );
  });

  it("says which samples it could not keep: two at one timestamp", async () => {
    writeFileSync(
      join(temp.path, "twice.csv"),
      `timestamp,value\n${series(undefined).split("\n").slice(1, 40).join("\n")}\n${START / 1000 + 60},5\n`,
    );
    const out: string[] = [];
    const code = await runCli(
      ["rules", "backtest", "spec.yaml", "--series", "twice.csv", "--json"],
      { stdout: (t) => out.push(t), stderr: () => undefined, cwd: temp.path, env: process.env },
    );
    expect(code).toBe(0);
    const report = JSON.parse(out.join("")) as NabJson;
    expect(report.warnings).toEqual([
      "twice.csv: 1 sample(s) share a timestamp with a later one and were dropped (a series holds one value per timestamp)",
    ]);
  }, 120_000);
});
