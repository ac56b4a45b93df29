import { describe, expect, it } from "vitest";
import { parsePromql } from "../../core/promql/parse-promql.js";

describe("PromQL parsing and type checks", () => {
  it("describes a plain selector", () => {
    const parsed = parsePromql('aiwatch_training_loss{phase="train", run_id=~"r-.*", job!=\'x\'}');
    expect(parsed.problems).toEqual([]);
    expect(parsed.selector).toEqual({
      metricName: "aiwatch_training_loss",
      matchers: [
        { name: "phase", op: "=", value: "train" },
        { name: "run_id", op: "=~", value: "r-.*" },
        { name: "job", op: "!=", value: "x" },
      ],
    });
  });

  it("takes the metric name from a __name__ matcher", () => {
    expect(parsePromql('{__name__="up", job="a"}').selector?.metricName).toBe("up");
  });

  it("has no selector for expressions", () => {
    expect(parsePromql("sum(rate(x[5m]))").selector).toBeUndefined();
    expect(parsePromql("x offset 5m").selector).toBeUndefined();
  });

  it.each([
    [
      "rate(x)",
      "argument 1 of rate() must be a range vector, got an instant vector (add a range such as [5m])",
    ],
    ["abs(x[5m])", "argument 1 of abs() must be an instant vector, got a range vector"],
    [
      "histogram_quantile(x, y)",
      "argument 1 of histogram_quantile() must be a scalar, got an instant vector",
    ],
    ["clamp_min(x)", "clamp_min() takes 2 argument(s), got 1"],
    ["sum(x[5m])", "the sum aggregation must be an instant vector, got a range vector"],
    ["x[5m] + 1", "binary expressions need instant vectors or scalars, got a range vector"],
    ["nope(x)", 'unknown function "nope" (not in Prometheus 2.42)'],
    ["sum(x", "unexpected end of expression"],
    ["limitk(2, x)", "limitk is not in Prometheus 2.42 (added in 3.0); use topk or bottomk"],
    ["sum(limit_ratio(0.5, x))", "limit_ratio is not in Prometheus 2.42 (added in 3.0)"],
    ["rate(x[5m] smoothed)", "the smoothed modifier is not in Prometheus 2.42 (added in 3.x)"],
    [
      "x offset (1m)",
      "duration expressions are not in Prometheus 2.42 (added in 3.x); write a duration such as 5m",
    ],
    [
      "x[1h:step()]",
      "duration expressions are not in Prometheus 2.42 (added in 3.x); write a duration such as 5m",
    ],
    [
      "x[300]",
      'expected a duration such as 5m, got "300" (numbers as durations are not in Prometheus 2.42)',
    ],
    ["mad_over_time(x[5m])", 'unknown function "mad_over_time" (not in Prometheus 2.42)'],
  ])("rejects %s", (expr, message) => {
    expect(parsePromql(expr).problems[0]?.message).toBe(message);
  });

  it.each([
    "histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))",
    "sum by (a) (rate(x[5m])) / ignoring(b) group_left sum by (a, b) (y)",
    "max_over_time(x[1h:5m] offset 10m)",
    "quantile_over_time(0.5, x[10m])",
    "label_replace(x, 'a', '$1', 'b', '(.*)')",
    "round(x, 0.1) > bool 3",
    "time() - x",
    "x offset -5m",
    "x + 1e3 + 0x1f + Inf",
    "rate(x[1h30m])",
  ])("accepts %s", (expr) => {
    expect(parsePromql(expr).problems).toEqual([]);
  });
});
