import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { formatDiagnostics } from "../../../core/diagnostics/format.js";
import { runProcess } from "../../../core/run-process.js";
import { driftCollector } from "../../../exporters/drift/collector/drift-collector.js";
import { DEFAULT_NULL_VALUES } from "../../../exporters/drift/data/csv.js";
import { readTable } from "../../../exporters/drift/data/read-table.js";
import type { DriftProfile } from "../../../exporters/drift/profile/drift-profile.js";
import { DEFAULT_PROFILE_SETTINGS } from "../../../exporters/drift/profile/drift-profile.js";
import { profileFromTable } from "../../../exporters/drift/profile/profile-from-table.js";
import { typedRecords } from "../../../exporters/drift/profile/typed-records.js";
import { startExporter } from "../../../exporters/process/run-exporter.js";
import type { RunningExporter } from "../../../exporters/process/run-exporter.js";
import { requireBinaries } from "../../support/binaries.js";
import { repoPath, requireFixtures } from "../../support/fixtures.js";
import { makeTempDir } from "../../support/temp-dir.js";
import { waitFor } from "../../support/wait-for.js";
import { profileOf } from "./drift-helpers.js";

const temp = makeTempDir("drift");
const configFile = join(temp.path, "exporter.yaml");
const TOKEN = "drift-t0ken";
let exporter: RunningExporter | undefined;

afterEach(async () => {
  await exporter?.stop();
  exporter = undefined;
});
afterAll(() => temp.remove());

async function start(collectors: string): Promise<RunningExporter> {
  writeFileSync(
    configFile,
    `auth:\n  bearer_tokens: [{ env: TOKEN }]\nlimits:\n  max_body_bytes: 4194304\ncollectors:\n${collectors}`,
  );
  const result = await startExporter({
    configFile,
    listenAddress: "127.0.0.1:0",
    collectors: [driftCollector],
    secrets: { env: { TOKEN } },
    version: "0.0.0-test",
    writeLog: () => undefined,
  });
  if ("diagnostics" in result)
    throw new Error(
      result.diagnostics.ok ? "?" : formatDiagnostics(result.diagnostics.diagnostics),
    );
  exporter = result;
  return result;
}

function post(url: string, body: unknown): Promise<Response> {
  return fetch(`${url}/api/v1/data/records`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
  });
}

async function metrics(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Waits until a scrape shows `series` with `value`, and returns that scrape. */
async function scrapeUntil(url: string, series: string, value: number): Promise<string> {
  return waitFor(`${series} = ${value}`, async () => {
    const text = await metrics(url);
    return sample(text, series) === value ? text : undefined;
  });
}

const SMALL_PROFILE = join(temp.path, "small.json");
const smallProfile: DriftProfile = profileOf({
  x: Array.from({ length: 1000 }, (_, i) => (i % 100) / 10),
  color: Array.from({ length: 1000 }, (_, i) => ["red", "green", "blue"][i % 3]),
  flag: Array.from({ length: 1000 }, (_, i) => i % 4 === 0),
});
writeFileSync(SMALL_PROFILE, JSON.stringify(smallProfile));

const SMALL = `  drift:
    evaluation_interval: 50ms
    max_records_per_batch: 100
    models:
      - name: small
        reference: { profile: ${SMALL_PROFILE} }
        ignore_columns: [id]
        max_unexpected_columns: 1
        min_samples: 5
        window: { records: 1000 }
`;

describe("drift collector: ingest and quality", () => {
  it("counts rows, nulls, out-of-range values and each kind of schema violation", async () => {
    const { url } = await start(SMALL);
    const response = await post(url, {
      model: "small",
      records: [
        { id: 1, x: 1.5, color: "red", flag: true },
        { id: 2, x: null, color: "purple", flag: false },
        { id: 3, x: 120, color: "green" },
        { id: 4, x: "oops", color: 7, flag: "yes", extra: 1 },
        { id: 5, x: -1, color: "blue", flag: null, extra: 2, another: "a" },
      ],
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: "success",
      data: { model: "small", accepted: 5 },
    });
    const text = await metrics(url);
    const expected: [string, number][] = [
      ['aiwatch_data_rows_total{model="small"}', 5],
      ['aiwatch_data_null_values_total{model="small",feature="x"}', 1],
      ['aiwatch_data_null_values_total{model="small",feature="flag"}', 1],
      ['aiwatch_data_out_of_range_values_total{model="small",feature="x"}', 2],
      [
        'aiwatch_data_schema_violations_total{model="small",feature="flag",kind="missing_column"}',
        1,
      ],
      ['aiwatch_data_schema_violations_total{model="small",feature="x",kind="type_mismatch"}', 1],
      [
        'aiwatch_data_schema_violations_total{model="small",feature="flag",kind="type_mismatch"}',
        1,
      ],
      // 7 reads as the category "7", which the reference never saw; so does "purple".
      [
        'aiwatch_data_schema_violations_total{model="small",feature="color",kind="unseen_category"}',
        2,
      ],
      [
        'aiwatch_data_schema_violations_total{model="small",feature="extra",kind="unexpected_column"}',
        2,
      ],
      // max_unexpected_columns: 1, so "another" is counted without its own label.
      [
        'aiwatch_data_schema_violations_total{model="small",feature="__other__",kind="unexpected_column"}',
        1,
      ],
      ['aiwatch_data_feature_labels_dropped_total{model="small"}', 1],
    ];
    for (const [series, value] of expected) expect(sample(text, series), series).toBe(value);
    expect(text).toContain(
      `aiwatch_data_reference_info{model="small",version="${smallProfile.version}",content_hash="${smallProfile.content_hash}"} 1`,
    );
  });

  it("refuses malformed batches with a 400 naming the record and field, counts them, and keeps the window", async () => {
    const { url } = await start(SMALL);
    const good = Array.from({ length: 10 }, (_, i) => ({ x: i / 2, color: "red", flag: true }));
    expect((await post(url, { model: "small", records: good })).status).toBe(200);
    await scrapeUntil(url, 'aiwatch_data_drift_window_samples{model="small",feature="x"}', 10);

    const cases: [unknown, string, string][] = [
      [
        { model: "small", records: [...good.slice(0, 3), { x: { nested: 1 } }] },
        "invalid-record",
        "records[3].x: expected a number, string, boolean or null, got an object",
      ],
      [{ model: "small", records: [1, 2] }, "invalid-record", "records[0]: expected an object"],
      [{ records: good }, "missing-model", "model: required"],
      [{ model: "nope", records: good }, "unknown-model", '"nope" (configured: small)'],
      [{ model: "small", records: "x" }, "invalid-batch", "records: expected an array"],
      [[1, 2, 3], "invalid-batch", "expected a JSON object"],
      [
        { model: "small", records: Array.from({ length: 101 }, () => good[0]) },
        "too-many-records",
        "101 > max_records_per_batch 100",
      ],
    ];
    for (const [body, code, message] of cases) {
      const response = await post(url, body);
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      const error = (await response.json()) as { errorType: string; error: string };
      expect(error.errorType).toBe(code);
      expect(error.error).toContain(message);
    }
    const notJson = await fetch(`${url}/api/v1/data/records`, {
      method: "POST",
      body: "{not json",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
    });
    expect(notJson.status).toBe(400);
    const unauthorised = await fetch(`${url}/api/v1/data/records`, {
      method: "POST",
      body: JSON.stringify({ model: "small", records: good }),
      headers: { "content-type": "application/json" },
    });
    expect(unauthorised.status).toBe(401);
    // JSON has no Infinity, but 1e400 overflows a double and parses as one.
    const overflow = await fetch(`${url}/api/v1/data/records`, {
      method: "POST",
      body: '{"model": "small", "records": [{"x": 1}, {"x": 1e400}, {"x": 2}]}',
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
    });
    expect(overflow.status).toBe(400);
    expect(await overflow.json()).toMatchObject({
      errorType: "invalid-record",
      error:
        "invalid record: records[1].x: expected a finite number, got Infinity (a number beyond the range of a double); the batch was not applied",
    });

    // A later evaluation still sees the 10 good records and nothing of the refused ones.
    const before =
      sample(
        await metrics(url),
        'aiwatch_data_drift_last_evaluation_timestamp_seconds{model="small"}',
      ) ?? 0;
    const text = await waitFor("a later evaluation", async () => {
      const t = await metrics(url);
      const at =
        sample(t, 'aiwatch_data_drift_last_evaluation_timestamp_seconds{model="small"}') ?? 0;
      return at > before ? t : undefined;
    });
    expect(sample(text, 'aiwatch_data_drift_window_samples{model="small",feature="x"}')).toBe(10);
    expect(sample(text, 'aiwatch_data_rows_total{model="small"}')).toBe(10);
    const rejected = (reason: string) =>
      sample(text, `aiwatch_exporter_rejected_records_total{collector="drift",reason="${reason}"}`);
    expect(rejected("invalid_value")).toBe(4 + 3);
    expect(rejected("invalid_record")).toBe(2);
    expect(rejected("missing_model")).toBe(10);
    expect(rejected("unknown_model")).toBe(10);
    expect(rejected("invalid_batch")).toBe(2);
    expect(rejected("too_many_records")).toBe(101);
    const refusedRequest = (reason: string) =>
      sample(
        text,
        `aiwatch_exporter_rejected_requests_total{endpoint="/api/v1/data/records",reason="${reason}"}`,
      );
    expect(refusedRequest("invalid_json")).toBe(1);
    expect(refusedRequest("missing_credentials")).toBe(1);
    expect((await fetch(`${url}/-/healthy`)).status).toBe(200);
  });

  it("publishes no score below min_samples, then scores with the default method", async () => {
    const { url } = await start(SMALL);
    await post(url, { model: "small", records: [{ x: 1, color: "red", flag: true }] });
    const early = await scrapeUntil(
      url,
      'aiwatch_data_drift_window_samples{model="small",feature="x"}',
      1,
    );
    expect(early).not.toContain("aiwatch_data_drift_score{");
    expect(sample(early, 'aiwatch_data_drift_scored_features{model="small"}')).toBe(0);
    const shifted = Array.from({ length: 200 }, (_, i) => ({
      x: 50 + i,
      color: "blue",
      flag: false,
    }));
    for (let i = 0; i < 2; i++)
      await post(url, { model: "small", records: shifted.slice(i * 100, i * 100 + 100) });
    // 1,000 reference values and a 1,000-record window: small samples, so KS and chi-square.
    const text = await scrapeUntil(
      url,
      'aiwatch_data_drift_detected{model="small",feature="x",method="ks"}',
      1,
    );
    expect(
      sample(text, 'aiwatch_data_drift_threshold{model="small",feature="x",method="ks"}'),
    ).toBe(0.05);
    expect(
      sample(text, 'aiwatch_data_drift_detected{model="small",feature="color",method="chisquare"}'),
    ).toBe(1);
    expect(sample(text, 'aiwatch_data_drifted_features_ratio{model="small"}')).toBe(1);
    expect(sample(text, 'aiwatch_data_dataset_drift_detected{model="small"}')).toBe(1);
    expect(text).toMatch(
      /aiwatch_data_drift_p_value\{model="small",feature="x",method="ks"\} [0-9.e-]+\n/,
    );
  });

  it("builds the reference from the first records when told to", async () => {
    const { url } = await start(`  drift:
    evaluation_interval: 50ms
    models:
      - name: live
        reference: { first_records: 150 }
        min_samples: 50
        window: { records: 200 }
        methods: [psi]
`);
    const batch = (offset: number) =>
      Array.from({ length: 100 }, (_, i) => ({
        amount: offset + (i % 50),
        kind: i % 2 ? "a" : "b",
      }));
    await post(url, { model: "live", records: batch(0) });
    await post(url, { model: "live", records: batch(0) });
    await scrapeUntil(
      url,
      'aiwatch_data_drift_reference_samples{model="live",feature="amount"}',
      150,
    );
    // The 50 records after the first 150 are the first live ones.
    await scrapeUntil(url, 'aiwatch_data_drift_window_samples{model="live",feature="amount"}', 50);
    await post(url, { model: "live", records: batch(1000) });
    const text = await scrapeUntil(
      url,
      'aiwatch_data_drift_detected{model="live",feature="amount",method="psi"}',
      1,
    );
    expect(
      sample(text, 'aiwatch_data_drift_detected{model="live",feature="kind",method="psi"}'),
    ).toBe(0);
    expect(sample(text, 'aiwatch_data_rows_total{model="live"}')).toBe(300);
  });

  it("counts a reference that cannot be built from the first records, and gathers again", async () => {
    const { url } = await start(`  drift:
    evaluation_interval: 50ms
    models:
      - name: live
        reference: { first_records: 10 }
        features: { amount: { type: numeric } }
`);
    const batch = (amount: (i: number) => unknown) =>
      Array.from({ length: 10 }, (_, i) => ({ amount: amount(i) }));
    expect((await post(url, { model: "live", records: batch(() => "lots") })).status).toBe(200);
    const failed =
      'aiwatch_exporter_collector_errors_total{collector="drift",reason="reference_invalid"}';
    const text = await scrapeUntil(url, failed, 1);
    expect(text).not.toContain('aiwatch_data_reference_info{model="live"');
    expect((await post(url, { model: "live", records: batch((i) => i) })).status).toBe(200);
    const built = await scrapeUntil(
      url,
      'aiwatch_data_drift_reference_samples{model="live",feature="amount"}',
      10,
    );
    expect(sample(built, failed)).toBe(1);
  });
});

describe("drift collector: tailing a JSON-lines log", () => {
  it("applies appended lines and skips bad ones, naming the line", async () => {
    const log = join(temp.path, "predictions.jsonl");
    writeFileSync(log, '{"features": {"x": 1, "color": "red", "flag": true}}\n');
    const { url } = await start(`${SMALL}        tail:
          - { path: ${log}, from: beginning, features_field: features, poll_interval: 50ms }
`);
    await scrapeUntil(url, 'aiwatch_data_rows_total{model="small"}', 1);
    appendFileSync(
      log,
      '{"features": {"x": 2}}\nnot json\n{"features": [1]}\n{"features": {"x": 1e400}}\n{"features": {"x": 3, "col',
    );
    await scrapeUntil(url, 'aiwatch_data_rows_total{model="small"}', 2);
    appendFileSync(log, 'or": "blue"}}\n');
    const text = await scrapeUntil(url, 'aiwatch_data_rows_total{model="small"}', 3);
    expect(
      sample(
        text,
        'aiwatch_exporter_rejected_records_total{collector="drift",reason="invalid_line"}',
      ),
    ).toBe(1);
    expect(
      sample(
        text,
        'aiwatch_exporter_rejected_records_total{collector="drift",reason="invalid_record"}',
      ),
    ).toBe(1);
    expect(
      sample(
        text,
        'aiwatch_exporter_rejected_records_total{collector="drift",reason="invalid_value"}',
      ),
    ).toBe(1);
  });
});

describe("drift collector: profile changes", () => {
  it("picks up a rewritten profile, and keeps the old one when the new one is broken", async () => {
    const path = join(temp.path, "changing.json");
    writeFileSync(path, JSON.stringify(smallProfile));
    const { url } = await start(SMALL.replace(SMALL_PROFILE, path));
    const info = (p: DriftProfile) =>
      `aiwatch_data_reference_info{model="small",version="${p.version}",content_hash="${p.content_hash}"}`;
    await scrapeUntil(url, info(smallProfile), 1);
    const next = profileOf({ x: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] });
    writeFileSync(path, JSON.stringify(next));
    const text = await scrapeUntil(url, info(next), 1);
    expect(text).not.toContain(info(smallProfile));
    expect(text).not.toContain('feature="color"');
    writeFileSync(path, "{ truncated");
    const after = await scrapeUntil(
      url,
      'aiwatch_exporter_collector_errors_total{collector="drift",reason="profile_invalid"}',
      1,
    );
    expect(sample(after, info(next))).toBe(1);
  });

  it("refuses a changed profile that no longer fits the config, once, and keeps evaluating the other models", async () => {
    const path = join(temp.path, "unfitting.json");
    writeFileSync(path, JSON.stringify(smallProfile));
    const { url } = await start(`  drift:
    evaluation_interval: 50ms
    models:
      - name: small
        reference: { profile: ${path} }
        features: { x: {}, color: {} }
      - name: other
        reference: { profile: ${SMALL_PROFILE} }
`);
    const info = `aiwatch_data_reference_info{model="small",version="${smallProfile.version}",content_hash="${smallProfile.content_hash}"}`;
    await scrapeUntil(url, info, 1);
    // Parses and loads, but lacks the configured feature "color".
    writeFileSync(path, JSON.stringify(profileOf({ x: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] })));
    const refused =
      'aiwatch_exporter_collector_errors_total{collector="drift",reason="profile_invalid"}';
    await scrapeUntil(url, refused, 1);
    const evaluatedAt = (text: string) =>
      sample(text, 'aiwatch_data_drift_last_evaluation_timestamp_seconds{model="other"}') ?? 0;
    // Three more evaluations of the other model, and the refused file is not retried.
    let text = await metrics(url);
    for (let i = 0; i < 3; i++) {
      const before = evaluatedAt(text);
      text = await waitFor("a later evaluation of the other model", async () => {
        const t = await metrics(url);
        return evaluatedAt(t) > before ? t : undefined;
      });
    }
    expect(sample(text, refused)).toBe(1);
    expect(text).not.toContain('reason="evaluation_error"');
    expect(sample(text, info)).toBe(1);
    expect(sample(text, 'aiwatch_exporter_collector_up{collector="drift"}')).toBe(1);
  });

  it("validates the example configuration", async () => {
    const { runCli } = await import("../../../cli/main.js");
    let out = "";
    const code = await runCli(["exporter", "--config.file", "examples/exporter.yaml", "--check"], {
      stdout: (t) => (out += t),
      stderr: (t) => (out += t),
      cwd: repoPath(),
      env: { AIWATCH_INGEST_TOKEN: "x" },
    });
    expect(out).toContain("valid (collectors:");
    expect(out).toContain("drift");
    expect(code).toBe(0);
  });
});

describe("drift collector: configuration", () => {
  it("reports a bad profile reference and feature settings at their positions", async () => {
    writeFileSync(
      configFile,
      `auth:\n  bearer_tokens: [{ env: TOKEN }]\ncollectors:\n  drift:\n    models:\n      - name: a\n        reference: { profile: ${join(temp.path, "missing.json")} }\n      - name: b\n        reference: { profile: ${SMALL_PROFILE} }\n        features:\n          x: { methods: [chisquare] }\n          nope: {}\n`,
    );
    const result = await startExporter({
      configFile,
      listenAddress: "127.0.0.1:0",
      collectors: [driftCollector],
      secrets: { env: { TOKEN } },
      version: "0",
      writeLog: () => undefined,
    });
    const text =
      "diagnostics" in result && !result.diagnostics.ok
        ? formatDiagnostics(result.diagnostics.diagnostics)
        : "";
    expect(text).toContain(
      `${configFile}:7:31: error io-error: ${join(temp.path, "missing.json")}: cannot read profile: ENOENT`,
    );
    expect(text).toContain(
      `${configFile}:11:25: error invalid-value: method chisquare does not apply to numeric feature "x"`,
    );
    expect(text).toContain(
      `${configFile}:12:17: error invalid-value: feature "nope" is not in the reference profile`,
    );
  });
});

const fixtures = requireFixtures(
  "drift/nannyml_california_housing/california_housing_reference.csv",
);
describe.skipIf(!fixtures.available)("drift collector: California housing over HTTP", () => {
  let profilePath: string;
  let analysis: Record<string, unknown>[];

  beforeAll(async () => {
    const folder = join(fixtures.dir, "drift/nannyml_california_housing");
    const nulls = new Set(DEFAULT_NULL_VALUES);
    const reference = await readTable(
      join(folder, "california_housing_reference.csv"),
      "csv",
      nulls,
    );
    const built = profileFromTable(reference, {
      settings: DEFAULT_PROFILE_SETTINGS,
      exclude: ["id", "timestamp", "clf_target", "y_pred_proba", "y_pred"],
      sourceName: "california_housing_reference.csv",
      created: "2024-01-01T00:00:00.000Z",
    });
    if (!built.ok) throw new Error("profile");
    profilePath = join(temp.path, "california.json");
    writeFileSync(profilePath, JSON.stringify(built.profile));
    const table = await readTable(join(folder, "california_housing_analysis.csv"), "csv", nulls);
    analysis = typedRecords(table, built.profile);
  });

  it("flags exactly Latitude and Longitude", async () => {
    const { url } = await start(`  drift:
    evaluation_interval: 100ms
    models:
      - name: housing
        reference: { profile: ${profilePath} }
        ignore_columns: [id, timestamp, y_pred_proba, y_pred]
        window: { records: 10000 }
`);
    for (let i = 0; i < analysis.length; i += 1000)
      expect(
        (await post(url, { model: "housing", records: analysis.slice(i, i + 1000) })).status,
      ).toBe(200);
    const text = await scrapeUntil(
      url,
      'aiwatch_data_drift_window_samples{model="housing",feature="Longitude"}',
      8232,
    );
    const flagged = [
      ...text.matchAll(
        /^aiwatch_data_drift_detected\{model="housing",feature="(\w+)",method="psi"\} 1$/gm,
      ),
    ].map((m) => m[1]);
    expect(flagged).toEqual(["Latitude", "Longitude"]);
    expect(text.match(/^aiwatch_data_drift_detected\{/gm)).toHaveLength(8);
    expect(sample(text, 'aiwatch_data_drifted_features_ratio{model="housing"}')).toBe(0.25);
    expect(sample(text, 'aiwatch_data_dataset_drift_detected{model="housing"}')).toBe(0);
    expect(text).not.toMatch(/aiwatch_data_schema_violations_total\{[^}]*\} [1-9]/);

    const promtool = requireBinaries("promtool");
    if (promtool.available) {
      const file = join(temp.path, "drift-metrics.txt");
      writeFileSync(file, text);
      const lint = await runProcess("sh", [
        "-c",
        `${promtool.paths.promtool} check metrics < ${file}`,
      ]);
      expect(lint.stdout + lint.stderr).toBe("");
      expect(lint.exitCode).toBe(0);
    }
  });
});
