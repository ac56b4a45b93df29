import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExpositionRegistry } from "../../../exporters/exposition/exposition-registry.js";
import { createNormalisedFamilies } from "../../../exporters/inference/upstream/normalised-families.js";
import { parseExposition } from "../../../exporters/inference/upstream/parse-exposition.js";
import { TRITON_DIALECT } from "../../../exporters/inference/upstream/triton-dialect.js";
import {
  RawFamilies,
  UpstreamTarget,
} from "../../../exporters/inference/upstream/upstream-target.js";
import type { UpstreamDialect } from "../../../exporters/inference/upstream/normalisation-rules.js";
import { VLLM_DIALECT } from "../../../exporters/inference/upstream/vllm-dialect.js";
import { expectGolden } from "../../support/golden.js";
import { startMetricsTarget } from "../../support/metrics-target.js";
import type { MetricsTarget } from "../../support/metrics-target.js";
import { repoPath } from "../../support/fixtures.js";

const capture = (name: string) => readFileSync(join(import.meta.dirname, "captures", name), "utf8");
const golden = (name: string) => repoPath("test", "exporters", "inference", "golden", name);

let server: MetricsTarget;
let body = "";
beforeAll(async () => {
  server = await startMetricsTarget(() => body);
});
afterAll(() => server.close());

function harness(kind: "vllm" | "triton", dialect: UpstreamDialect, keepRaw = false) {
  const registry = new ExpositionRegistry(
    () => 10_000,
    () => undefined,
  );
  const scope = registry.scope("inference");
  const up = scope.gauge<"server" | "kind">({
    name: "aiwatch_inference_upstream_up",
    help: "Up.",
    labelNames: ["server", "kind"],
  });
  const target = new UpstreamTarget(
    {
      name: `${kind}-0`,
      kind,
      url: `http://${server.address}/metrics`,
      timeoutMs: 5_000,
      maxBytes: 1_000_000,
      modelVersion: kind === "vllm" ? "2024-07" : "",
      keepRaw,
      dialect,
      fetch: globalThis.fetch,
    },
    createNormalisedFamilies(scope),
    new RawFamilies(scope),
    up,
  );
  return { registry, target };
}

const value = (text: string, selector: string) =>
  Number(
    text
      .split("\n")
      .find((l) => l.startsWith(`${selector} `))
      ?.slice(selector.length + 1),
  );

describe("the exposition parser", () => {
  it("groups samples into families and reads escapes, NaN and infinities", () => {
    const families = parseExposition(
      [
        "# HELP x_seconds A \\\\ help\\nline",
        "# TYPE x_seconds histogram",
        'x_seconds_bucket{le="0.5",a="q\\"u\\\\o\\nte"} 1',
        'x_seconds_bucket{le="+Inf",a="q"} 2 1700000000000',
        "x_seconds_sum 1.5e0",
        "x_seconds_count 2",
        "orphan NaN",
        "# TYPE g gauge",
        "g -Inf",
      ].join("\n"),
    );
    expect([...families.keys()]).toEqual(["x_seconds", "orphan", "g"]);
    expect(families.get("x_seconds")?.help).toBe("A \\ help\nline");
    expect(families.get("x_seconds")?.samples[0]?.labels).toEqual([
      ["le", "0.5"],
      ["a", 'q"u\\o\nte'],
    ]);
    expect(families.get("orphan")?.type).toBe("untyped");
    expect(families.get("g")?.samples[0]?.value).toBe(-Infinity);
    expect(() => parseExposition("x{a=1} 2")).toThrow(/line 1: malformed labels/);
    expect(() => parseExposition("\nx one")).toThrow(/line 2: bad sample value "one"/);
  });
});

describe("vLLM under aiwatch's names", () => {
  it("sums engines away, splits aborted requests out as failures, keeps seconds", async () => {
    body = capture("vllm-v1.metrics");
    const { registry, target } = harness("vllm", VLLM_DIALECT);
    await target.poll();
    const text = registry.renderText();
    const labels =
      'model="meta-llama/Llama-3.1-8B-Instruct",model_version="2024-07",server="vllm-0"';
    expect(value(text, `aiwatch_inference_requests_total{${labels}}`)).toBe(
      2801 + 131 + 12 + 2710 + 140 + 9,
    );
    expect(value(text, `aiwatch_inference_request_failures_total{${labels},class="aborted"}`)).toBe(
      21,
    );
    expect(value(text, `aiwatch_inference_in_flight_requests{${labels}}`)).toBe(14);
    expect(value(text, `aiwatch_inference_queued_requests{${labels}}`)).toBe(2);
    expect(value(text, `aiwatch_inference_kv_cache_usage_ratio{${labels}}`)).toBe(0.4123);
    expect(value(text, `aiwatch_inference_prompt_tokens_total{${labels}}`)).toBe(1843210 + 1790554);
    expect(value(text, `aiwatch_inference_request_duration_seconds_count{${labels}}`)).toBe(
      2944 + 2859,
    );
    expect(
      value(text, `aiwatch_inference_request_duration_seconds_bucket{${labels},le="+Inf"}`),
    ).toBe(2944 + 2859);
    expect(value(text, `aiwatch_inference_upstream_up{server="vllm-0",kind="vllm"}`)).toBe(1);
    expect(text).not.toMatch(/vllm:|_created/);
    expectGolden(golden("vllm-normalised.txt"), text);
  });

  it("re-exposes the raw families too when asked, with a server label and without _created", async () => {
    body = capture("vllm-v1.metrics");
    const { registry, target } = harness("vllm", VLLM_DIALECT, true);
    await target.poll();
    const text = registry.renderText();
    expect(text).toContain(
      'vllm:num_requests_running{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct",server="vllm-0"} 7',
    );
    expect(text).toContain("# TYPE vllm:e2e_request_latency_seconds histogram");
    expect(text).not.toContain("_created");
    // OpenMetrics: prometheus_client's `_total` counter families are declared without it.
    expect(registry.renderOpenMetrics()).toContain("# TYPE vllm:prompt_tokens counter\n");
  });
});

describe("Triton under aiwatch's names", () => {
  it("converts microseconds and milliseconds to seconds and failure reasons to classes", async () => {
    body = capture("triton.metrics");
    const { registry, target } = harness("triton", TRITON_DIALECT);
    await target.poll();
    const text = registry.renderText();
    const resnet = 'model="resnet50_trt",model_version="1",server="triton-0"';
    expect(value(text, `aiwatch_inference_requests_total{${resnet}}`)).toBe(48211 + 7 + 14);
    expect(
      value(text, `aiwatch_inference_request_failures_total{${resnet},class="rejected"}`),
    ).toBe(7);
    expect(value(text, `aiwatch_inference_request_failures_total{${resnet},class="backend"}`)).toBe(
      14,
    );
    expect(value(text, `aiwatch_inference_request_duration_seconds_sum{${resnet}}`)).toBeCloseTo(
      5123.456789,
      6,
    );
    expect(value(text, `aiwatch_inference_request_duration_seconds_count{${resnet}}`)).toBe(48211);
    expect(value(text, `aiwatch_inference_queue_seconds_total{${resnet}}`)).toBeCloseTo(
      212.345678,
      6,
    );
    expect(
      value(text, `aiwatch_inference_compute_seconds_total{${resnet},stage="infer"}`),
    ).toBeCloseTo(3012.345678, 6);
    expect(text).toContain(
      `aiwatch_inference_time_to_first_response_seconds_bucket{${resnet},le="0.005"} `,
    );
    expect(value(text, `aiwatch_inference_queued_requests{${resnet}}`)).toBe(3);
    expect(text).not.toContain("nv_");
    expectGolden(golden("triton-normalised.txt"), text);
  });

  it("withdraws a server's series when a scrape fails, and says why", async () => {
    body = capture("triton.metrics");
    const { registry, target } = harness("triton", TRITON_DIALECT);
    await target.poll();
    body = "nv_inference_request_success{model=broken";
    await expect(target.poll()).rejects.toMatchObject({ reason: "parse_error" });
    const text = registry.renderText();
    expect(text).not.toContain("aiwatch_inference_requests_total");
    expect(value(text, 'aiwatch_inference_upstream_up{server="triton-0",kind="triton"}')).toBe(0);
  });
});
