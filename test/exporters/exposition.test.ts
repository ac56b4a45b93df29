import { describe, expect, it } from "vitest";
import { ExpositionRegistry } from "../../exporters/exposition/exposition-registry.js";

function registry(maxSeries = 100, maxTotal = Infinity) {
  const dropped: string[] = [];
  return {
    registry: new ExpositionRegistry(
      () => maxSeries,
      (family, budget) => dropped.push(budget === "family" ? family : `${family} (total)`),
      () => maxTotal,
    ),
    dropped,
  };
}

describe("exposition", () => {
  it("renders gauges, counters and histograms in the Prometheus text format", () => {
    const { registry: r } = registry();
    const families = r.scope("test");
    const loss = families.gauge({
      name: "aiwatch_training_loss",
      help: "Loss by phase.",
      labelNames: ["run_id", "phase"],
    });
    const seen = families.counter({
      name: "aiwatch_training_nonfinite_values_total",
      help: "Non-finite values.\nSecond line \\ end",
      labelNames: ["run_id"],
    });
    const latency = families.histogram({
      name: "aiwatch_inference_request_duration_seconds",
      help: "Latency.",
      labelNames: ["model"],
      buckets: [0.1, 1],
      unit: "seconds",
    });
    loss.set(["r-1", "train"], 0.5);
    loss.set(['quote"back\\slash\nline', "eval"], NaN);
    seen.inc(["r-1"]);
    seen.inc(["r-1"], 2);
    latency.observe(["m"], 0.05);
    latency.observe(["m"], 0.5);
    latency.observe(["m"], 5);
    expect(r.renderText()).toBe(
      [
        "# HELP aiwatch_training_loss Loss by phase.",
        "# TYPE aiwatch_training_loss gauge",
        'aiwatch_training_loss{run_id="r-1",phase="train"} 0.5',
        'aiwatch_training_loss{run_id="quote\\"back\\\\slash\\nline",phase="eval"} NaN',
        "# HELP aiwatch_training_nonfinite_values_total Non-finite values.\\nSecond line \\\\ end",
        "# TYPE aiwatch_training_nonfinite_values_total counter",
        'aiwatch_training_nonfinite_values_total{run_id="r-1"} 3',
        "# HELP aiwatch_inference_request_duration_seconds Latency.",
        "# TYPE aiwatch_inference_request_duration_seconds histogram",
        'aiwatch_inference_request_duration_seconds_bucket{model="m",le="0.1"} 1',
        'aiwatch_inference_request_duration_seconds_bucket{model="m",le="1"} 2',
        'aiwatch_inference_request_duration_seconds_bucket{model="m",le="+Inf"} 3',
        'aiwatch_inference_request_duration_seconds_sum{model="m"} 5.55',
        'aiwatch_inference_request_duration_seconds_count{model="m"} 3',
        "",
      ].join("\n"),
    );
  });

  it("renders OpenMetrics names for counters and units", () => {
    const { registry: r } = registry();
    const families = r.scope("test");
    families
      .counter({ name: "aiwatch_x_bytes_total", help: "X.", labelNames: [], unit: "bytes" })
      .inc([], 4);
    expect(r.renderOpenMetrics()).toBe(
      "# HELP aiwatch_x_bytes X.\n# TYPE aiwatch_x_bytes counter\n# UNIT aiwatch_x_bytes bytes\naiwatch_x_bytes_total 4\n",
    );
  });

  it("drops new series beyond the budget and reports each drop", () => {
    const { registry: r, dropped } = registry(2);
    const gauge = r.scope("test").gauge({ name: "aiwatch_g", help: "G.", labelNames: ["k"] });
    gauge.set(["a"], 1);
    gauge.set(["b"], 2);
    gauge.set(["c"], 3);
    gauge.set(["a"], 4);
    expect(gauge.seriesCount).toBe(2);
    expect(gauge.get(["a"])).toBe(4);
    expect(dropped).toEqual(["aiwatch_g"]);
  });

  it("caps the series of all families together and gives back what is removed", () => {
    const { registry: r, dropped } = registry(10, 3);
    const training = r.scope("training");
    const gauge = training.gauge({ name: "aiwatch_g", help: "G.", labelNames: ["k"] });
    const histogram = r.scope("inference").histogram({
      name: "aiwatch_h_seconds",
      help: "H.",
      labelNames: ["k"],
      buckets: [1],
    });
    gauge.set(["a"], 1);
    gauge.set(["b"], 1);
    histogram.observe(["a"], 0.5);
    histogram.observe(["b"], 0.5);
    gauge.set(["c"], 1);
    expect(dropped).toEqual(["aiwatch_h_seconds (total)", "aiwatch_g (total)"]);
    expect(r.seriesCount).toBe(3);
    gauge.remove(["a"]);
    histogram.observe(["b"], 0.5);
    expect(r.seriesCount).toBe(3);
    training.dispose();
    expect(r.seriesCount).toBe(2);
    // A disposed family takes no budget, even if a stopping collector still writes to it.
    gauge.set(["late"], 1);
    expect(r.seriesCount).toBe(2);
    histogram.observe(["c"], 0.5);
    expect(r.seriesCount).toBe(3);
  });

  it("renders in chunks that join into the whole exposition", () => {
    const { registry: r } = registry(100_000);
    const gauge = r.scope("t").gauge({ name: "aiwatch_g", help: "G.", labelNames: ["k"] });
    for (let i = 0; i < 5000; i++) gauge.set([`series-${i}`], i);
    const chunks = [...r.chunks("text")];
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join("")).toBe(r.renderText());
    expect(r.renderText().split("\n")).toHaveLength(5000 + 3);
  });

  it("renders series added while a render is suspended once, and skips removed ones", () => {
    const { registry: r } = registry();
    const gauge = r.scope("t").gauge({ name: "aiwatch_g", help: "G.", labelNames: ["k"] });
    gauge.set(["a"], 1);
    const render = r.chunks("text");
    gauge.set(["b"], 2);
    gauge.remove(["a"]);
    expect([...render].join("")).toBe(
      '# HELP aiwatch_g G.\n# TYPE aiwatch_g gauge\naiwatch_g{k="b"} 2\n',
    );
  });

  it("removes series by label values and families by owner", () => {
    const { registry: r } = registry();
    const scope = r.scope("training");
    const gauge = scope.gauge({ name: "aiwatch_g", help: "G.", labelNames: ["run_id", "k"] });
    gauge.set(["r1", "a"], 1);
    gauge.set(["r1", "b"], 1);
    gauge.set(["r2", "a"], 1);
    expect(gauge.removeWhere(([run]) => run === "r1")).toBe(2);
    expect(r.seriesCount).toBe(1);
    scope.dispose();
    expect(r.renderText()).toBe("");
  });

  it("refuses names and uses that Prometheus would reject or misread", () => {
    const { registry: r } = registry();
    const scope = r.scope("t");
    expect(() => scope.gauge({ name: "a:b", help: "", labelNames: [] })).toThrow(/colons/);
    expect(() => scope.counter({ name: "aiwatch_events", help: "", labelNames: [] })).toThrow(
      /_total/,
    );
    expect(() => scope.gauge({ name: "aiwatch_g", help: "", labelNames: ["__x"] })).toThrow(
      /label name/,
    );
    const counter = scope.counter({ name: "aiwatch_c_total", help: "", labelNames: [] });
    expect(() => counter.inc([], -1)).toThrow(/only go up/);
    scope.gauge({ name: "aiwatch_dup", help: "", labelNames: [] });
    expect(() => r.scope("other").gauge({ name: "aiwatch_dup", help: "", labelNames: [] })).toThrow(
      /already registered by collector t/,
    );
  });
});
