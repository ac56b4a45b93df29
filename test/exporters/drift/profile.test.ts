import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parquetWriteFile } from "hyparquet-writer";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../../cli/main.js";
import { parseCsv } from "../../../exporters/drift/data/csv.js";
import type { DataFileError } from "../../../exporters/drift/data/table.js";
import { parseProfile } from "../../../exporters/drift/profile/load-profile.js";
import { makeTempDir } from "../../support/temp-dir.js";
import { profileOf } from "./drift-helpers.js";

const temp = makeTempDir("drift-profile");
afterAll(() => temp.remove());

async function cli(...args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd: temp.path,
    env: {},
  });
  return { code, stdout, stderr };
}

describe("CSV", () => {
  const nulls = new Set(["", "NA", "?"]);

  it("reads quotes, escaped quotes, CRLF, spaces after commas and null markers", () => {
    const table = parseCsv(
      "t.csv",
      'a, b,c\r\n1, "x, ""y""",?\r\n2,  plain ,NA\r\n"",z,3\r\n',
      nulls,
    );
    expect(table.columns).toEqual(["a", "b", "c"]);
    expect(table.values).toEqual([
      ["1", "2", ""],
      ['x, "y"', "plain", "z"],
      [null, null, "3"],
    ]);
  });

  it("names the line of a short row and of an unterminated quote", () => {
    const short = (() => {
      try {
        parseCsv("t.csv", "a,b\n1,2\n3\n", nulls);
      } catch (e) {
        return e as DataFileError;
      }
      return undefined;
    })();
    expect(short?.where).toBe("t.csv:3");
    expect(short?.message).toContain("expected 2 fields");
    const error = (() => {
      try {
        parseCsv("t.csv", 'a,b\n1,"open\n', nulls);
      } catch (e) {
        return e as DataFileError;
      }
      return undefined;
    })();
    expect(error?.where).toBe("t.csv:2:3");
  });
});

describe("profiles", () => {
  const profile = profileOf({
    n: [3, 1, 2, 2, 5, null, 4],
    c: ["a", "b", "a", null, "c", "a", "b"],
    b: [true, false, true, true, null, false, true],
  });

  it("infer types, count nulls, and bin numbers at their distinct values when there are few", () => {
    const [numeric, ...others] = profile.features;
    expect(numeric?.type === "numeric" && numeric.std).toBeCloseTo(Math.sqrt(65 / 36), 12);
    expect(
      numeric?.type === "numeric" && numeric.bins.every((e) => numeric.edges.includes(e)),
    ).toBe(true);
    expect({ ...numeric, std: 0, bins: [] }).toEqual({
      std: 0,
      bins: [],
      name: "n",
      type: "numeric",
      count: 6,
      nulls: 1,
      min: 1,
      max: 5,
      mean: 17 / 6,
      // Every distinct value is an edge; the coarse (decile) edges are merged in.
      edges: [1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5],
      counts: [1, 0, 2, 0, 1, 0, 1, 0, 1, 0],
      sums: [1, 0, 4, 0, 3, 0, 4, 0, 5, 0],
    });
    expect(others).toEqual([
      {
        name: "c",
        type: "categorical",
        count: 6,
        nulls: 1,
        categories: [
          ["a", 3],
          ["b", 2],
          ["c", 1],
        ],
        other: 0,
        truncated: false,
      },
      {
        name: "b",
        type: "boolean",
        count: 6,
        nulls: 1,
        categories: [
          ["false", 2],
          ["true", 4],
        ],
        other: 0,
        truncated: false,
      },
    ]);
  });

  it("round-trip through JSON and refuse a tampered one", () => {
    const text = JSON.stringify(profile, null, 2);
    const loaded = parseProfile("p.json", text);
    expect(loaded.ok && loaded.profile).toEqual(profile);
    const edited = text.replace('"count": 6', '"count": 7');
    const refused = parseProfile("p.json", edited);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.diagnostics.map((d) => d.message).join("\n")).toMatch(
      /counts must add up to count 7|content_hash/,
    );
    const rehashed = parseProfile(
      "p.json",
      text.replace('"mean": 2.8333333333333335', '"mean": 3'),
    );
    expect(!rehashed.ok && rehashed.diagnostics[0]?.code).toBe("hash-mismatch");
    const wrongShape = parseProfile("p.json", '{"format": "aiwatch.drift.profile"}');
    expect(
      !wrongShape.ok && wrongShape.diagnostics.some((d) => d.message.startsWith("format_version:")),
    ).toBe(true);
  });

  it("hash the statistics only: the same data gives the same hash wherever it was built", () => {
    const again = profileOf({
      n: [3, 1, 2, 2, 5, null, 4],
      c: ["a", "b", "a", null, "c", "a", "b"],
      b: [true, false, true, true, null, false, true],
    });
    expect(again.content_hash).toBe(profile.content_hash);
    expect(profile.version).toBe(profile.content_hash.slice(7, 19));
  });
});

describe("aiwatch drift profile", () => {
  const csv = join(temp.path, "data.csv");
  writeFileSync(
    csv,
    "id,amount,kind,ok\n" +
      Array.from(
        { length: 300 },
        (_, i) => `${i},${(i * 7) % 101},${["x", "y", "z"][i % 3]},${i % 2 === 0}`,
      ).join("\n") +
      "\n",
  );

  it("writes a profile from CSV and prints what it holds", async () => {
    const { code, stdout, stderr } = await cli(
      "drift",
      "profile",
      "data.csv",
      "--exclude",
      "id",
      "--out",
      "out/p.json",
      "--profile-version",
      "v1",
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain(
      "amount   numeric      300     0      100 bins, 10 coarse; min 0, max 100",
    );
    expect(stdout).toContain("kind     categorical  300     0      3 categories");
    expect(stdout).toContain("ok       boolean");
    expect(stdout).toMatch(/300 rows, 3 features; version v1, sha256:[0-9a-f]{64}\n/);
    const written = parseProfile("p.json", readFileSync(join(temp.path, "out/p.json"), "utf8"));
    expect(written.ok && written.profile.features.map((f) => f.name)).toEqual([
      "amount",
      "kind",
      "ok",
    ]);
  });

  it("reads Parquet to the same profile as CSV", async () => {
    const parquet = join(temp.path, "data.parquet");
    parquetWriteFile({
      filename: parquet,
      columnData: [
        {
          name: "amount",
          data: Array.from({ length: 300 }, (_, i) => (i * 7) % 101),
          type: "DOUBLE",
        },
        {
          name: "kind",
          data: Array.from({ length: 300 }, (_, i) => ["x", "y", "z"][i % 3] ?? ""),
          type: "STRING",
        },
        { name: "ok", data: Array.from({ length: 300 }, (_, i) => i % 2 === 0), type: "BOOLEAN" },
      ],
    });
    expect((await cli("drift", "profile", "data.parquet", "--out", "pq.json")).code).toBe(0);
    expect(
      (await cli("drift", "profile", "data.csv", "--exclude", "id", "--out", "csv.json")).code,
    ).toBe(0);
    const hash = (file: string) =>
      (JSON.parse(readFileSync(join(temp.path, file), "utf8")) as { content_hash: string })
        .content_hash;
    expect(hash("pq.json")).toBe(hash("csv.json"));
  });

  it("reads JSON lines, taking types at their word", async () => {
    writeFileSync(join(temp.path, "data.jsonl"), '{"a": 1, "b": "1"}\n\n{"a": 2.5, "b": "2"}\n');
    const { code, stdout } = await cli("drift", "profile", "data.jsonl", "--out", "j.json");
    expect(code).toBe(0);
    expect(stdout).toContain("a        numeric");
    expect(stdout).toContain("b        categorical");
  });

  it("reports bad input with file and line, and bad usage with exit 2", async () => {
    writeFileSync(join(temp.path, "bad.csv"), "a,b\n1,2\n3\n");
    expect(await cli("drift", "profile", "bad.csv", "--out", "x.json")).toEqual({
      code: 1,
      stdout: "",
      stderr: "bad.csv:3: error invalid-data: expected 2 fields (as in the header), found 1\n",
    });
    const typed = await cli(
      "drift",
      "profile",
      "data.csv",
      "--type",
      "kind=numeric",
      "--out",
      "x.json",
    );
    expect(typed.code).toBe(1);
    expect(typed.stderr).toBe(
      'data.csv:2: error wrong-type: column "kind": expected a number, got "x"\n',
    );
    const unknown = await cli(
      "drift",
      "profile",
      "data.csv",
      "--columns",
      "nope",
      "--out",
      "x.json",
    );
    expect(unknown.stderr).toContain(
      'error unknown-column: no column "nope" (columns: id, amount, kind, ok)',
    );
    expect((await cli("drift", "profile", "data.csv")).code).toBe(2);
    expect((await cli("drift", "profile", "data.txt", "--out", "x.json")).code).toBe(2);
    expect((await cli("drift", "frobnicate")).code).toBe(2);
  });

  it("names the file line of a bad value in JSON lines, after blank lines", async () => {
    writeFileSync(join(temp.path, "gaps.jsonl"), '{"a": 1, "b": 1}\n\n\n{"a": 2, "b": "x"}\n');
    const typed = await cli(
      "drift",
      "profile",
      "gaps.jsonl",
      "--type",
      "b=numeric",
      "--out",
      "x.json",
    );
    expect(typed).toEqual({
      code: 1,
      stdout: "",
      stderr: 'gaps.jsonl:4: error wrong-type: column "b": expected a number, got "x"\n',
    });
  });

  it("refuses numbers beyond the range of a double instead of writing an unloadable profile", async () => {
    // Blank lines and a quoted cell over two lines: the reported line is the file's.
    writeFileSync(
      join(temp.path, "huge.csv"),
      'x,note\n1,a\n\n2,"two\nlines"\n1e400,b\n-1e400,c\n',
    );
    const csv = await cli("drift", "profile", "huge.csv", "--out", "huge-csv.json");
    expect(csv).toEqual({
      code: 1,
      stdout: "",
      stderr:
        'huge.csv:6: error wrong-type: column "x": expected a finite number, got "1e400" (beyond the range of a double)\n',
    });
    writeFileSync(join(temp.path, "huge.jsonl"), '{"x": 1}\n\n{"x": 2}\n{"x": 1e400}\n');
    const jsonl = await cli("drift", "profile", "huge.jsonl", "--out", "huge-jsonl.json");
    expect(jsonl).toEqual({
      code: 1,
      stdout: "",
      stderr:
        'huge.jsonl:4: error wrong-type: column "x": expected a finite number, got Infinity (a number beyond the range of a double, such as 1e400, reads as Infinity)\n',
    });
  });

  it("compares data with a profile, exit 1 on dataset drift", async () => {
    await cli("drift", "profile", "data.csv", "--exclude", "id", "--out", "ref.json");
    const same = await cli(
      "drift",
      "compare",
      "data.csv",
      "--profile",
      "ref.json",
      "--ignore",
      "id",
    );
    expect(same.code).toBe(0);
    expect(same.stdout).toContain("dataset drift: 0 of 3 features (0%), drift_share 0.5: no");
    writeFileSync(
      join(temp.path, "shifted.csv"),
      "amount,kind,ok\n" +
        Array.from({ length: 300 }, (_, i) => `${200 + i},w,true`).join("\n") +
        "\n",
    );
    const shifted = await cli("drift", "compare", "shifted.csv", "--profile", "ref.json");
    expect(shifted.code).toBe(1);
    // 300 reference values: the small-sample rule picks KS and chi-square. D is 0.99, not 1:
    // 1% of the reference lies above the last fine edge, in the open bin with all of the window.
    expect(shifted.stdout).toMatch(/amount\s+numeric\s+ks\s+0\.99\s+\S+\s+0\.05\s+DRIFT/);
    expect(shifted.stdout).toMatch(/kind\s+categorical\s+chisquare\s+600\s/);
    expect(shifted.stdout).toContain(
      "dataset drift: 3 of 3 features (100%), drift_share 0.5: DETECTED",
    );
  });
});
