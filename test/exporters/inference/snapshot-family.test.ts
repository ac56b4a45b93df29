import { describe, expect, it } from "vitest";
import { ExpositionRegistry } from "../../../exporters/exposition/exposition-registry.js";

function registry(maxSeries: number) {
  const dropped: string[] = [];
  const r = new ExpositionRegistry(
    () => maxSeries,
    (family) => dropped.push(family),
  );
  return { r, scope: r.scope("inference"), dropped };
}

describe("snapshot families (series copied from upstream servers)", () => {
  it("replaces each source's samples wholesale and renders them as given", () => {
    const { r, scope } = registry(10);
    const family = scope.snapshot({
      name: "aiwatch_x_seconds",
      help: "X.",
      type: "histogram",
      labelNames: ["server"],
      unit: "seconds",
    });
    const histogram = (server: string, count: number) => [
      {
        suffix: "_bucket",
        labels: [
          ["server", server],
          ["le", "+Inf"],
        ] as const,
        value: count,
      },
      { suffix: "_sum", labels: [["server", server]] as const, value: count / 2 },
      { suffix: "_count", labels: [["server", server]] as const, value: count },
    ];
    family.replace("a", histogram("a", 4));
    family.replace("b", histogram("b", 2));
    family.replace("a", histogram("a", 6));
    expect(family.seriesCount).toBe(2);
    expect(r.renderText()).toBe(
      [
        "# HELP aiwatch_x_seconds X.",
        "# TYPE aiwatch_x_seconds histogram",
        'aiwatch_x_seconds_bucket{server="a",le="+Inf"} 6',
        'aiwatch_x_seconds_sum{server="a"} 3',
        'aiwatch_x_seconds_count{server="a"} 6',
        'aiwatch_x_seconds_bucket{server="b",le="+Inf"} 2',
        'aiwatch_x_seconds_sum{server="b"} 1',
        'aiwatch_x_seconds_count{server="b"} 2',
        "",
      ].join("\n"),
    );
    expect(r.renderOpenMetrics()).toContain("# UNIT aiwatch_x_seconds seconds\n");
    family.removeSource("a");
    expect(family.removeWhere(([server]) => server === "b")).toBe(1);
    expect(r.renderText()).toBe("");
  });

  it("keeps the family's series budget across sources, counting each refused series", () => {
    const { scope, dropped } = registry(2);
    const family = scope.snapshot({
      name: "aiwatch_y",
      help: "Y.",
      type: "gauge",
      labelNames: ["k"],
    });
    family.replace("a", [{ suffix: "", labels: [["k", "1"]], value: 1 }]);
    family.replace("b", [
      { suffix: "", labels: [["k", "2"]], value: 2 },
      { suffix: "", labels: [["k", "3"]], value: 3 },
    ]);
    expect(family.seriesCount).toBe(2);
    expect(dropped).toEqual(["aiwatch_y"]);
  });

  it("declares upstream names OpenMetrics cannot type as unknown", () => {
    const { r, scope } = registry(10);
    scope
      .snapshot({
        name: "nv_inference_request_success",
        help: "T.",
        type: "counter",
        labelNames: [],
        upstreamName: true,
      })
      .replace("t", [{ suffix: "", labels: [], value: 5 }]);
    scope
      .snapshot({
        name: "vllm:prompt_tokens_total",
        help: "V.",
        type: "counter",
        labelNames: [],
        upstreamName: true,
      })
      .replace("v", [{ suffix: "", labels: [], value: 7 }]);
    expect(r.renderText()).toContain(
      "# TYPE nv_inference_request_success counter\nnv_inference_request_success 5\n",
    );
    const om = r.renderOpenMetrics();
    expect(om).toContain("# TYPE nv_inference_request_success unknown\n");
    expect(om).toContain("# TYPE vllm:prompt_tokens counter\nvllm:prompt_tokens_total 7\n");
    expect(() =>
      scope.snapshot({ name: "vllm:x", help: "", type: "gauge", labelNames: [] }),
    ).toThrow(/colons/);
  });
});
