import { describe, expect, it } from "vitest";
import {
  escapeTemplateText,
  parseAlertTemplate,
  renderAlertTemplate,
} from "../../rulegen/template/alert-template.js";
import { formatGoFloat } from "../../rulegen/template/go-number-format.js";

function render(
  text: string,
  value = 1.5,
  labels: Record<string, string> = { run_id: "r-1" },
): string {
  const parsed = parseAlertTemplate(text);
  if (!parsed.ok) throw new Error(parsed.problem.message);
  return renderAlertTemplate(parsed.template, { labels, externalLabels: {}, value });
}

describe("alert templates", () => {
  it("renders text, values, labels and pipelines", () => {
    expect(render("run {{ $labels.run_id }}: {{ $value | humanize }} ({{ .Value }})")).toBe(
      "run r-1: 1.5 (1.5)",
    );
    expect(render('{{ printf "%.1f%%" $value }} {{ $labels.run_id | toUpper }}')).toBe("1.5% R-1");
    expect(render("a {{- ' ' -}} b".replace(/'/g, '"'))).toBe("a b");
    expect(render("{{/* comment */}}x")).toBe("x");
    expect(render("[{{ $labels.nope }}]")).toBe("[]");
  });

  it("escapes template delimiters in literal text", () => {
    expect(render(escapeTemplateText("x{{y}}"))).toBe("x{{y}}");
  });

  it.each([
    ["{{ $value", "invalid-template"],
    ["{{ if $value }}x{{ end }}", "unsupported-template"],
    ['{{ query "up" }}', "unsupported-template"],
    ["{{ $labels.a | humanize }}", "invalid-template"],
    ['{{ printf "%5.2f" $value }}', "unsupported-template"],
    ["{{ humanize }}", "invalid-template"],
  ])("rejects %s with %s", (text, code) => {
    const parsed = parseAlertTemplate(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem.code).toBe(code);
  });
});

describe("Go float formatting", () => {
  it.each([
    [1234567, "v", undefined, "1.234567e+06"],
    [123456.5, "v", undefined, "123456.5"],
    [1.2345e-5, "v", undefined, "1.2345e-05"],
    [0.125, "f", 2, "0.12"],
    [0.375, "f", 2, "0.38"],
    [2.5, "f", 0, "2"],
    [3.5, "f", 0, "4"],
    [1234.5, "g", 4, "1234"],
    [100, "g", 4, "100"],
    [1e6, "g", 4, "1e+06"],
    [NaN, "v", undefined, "NaN"],
    [-Infinity, "g", 4, "-Inf"],
  ] as const)("formats %d with %%%s (precision %s) as %s", (value, verb, precision, expected) => {
    expect(formatGoFloat(value, verb, precision)).toBe(expected);
  });
});
