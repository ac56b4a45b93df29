import { describe, expect, it } from "vitest";
import {
  percentLiteral,
  quantityText,
  titleOf,
  valueText,
} from "../../rulegen/detectors/annotation-text.js";
import type { Monitor } from "../../spec/model/monitor.js";
import type { Unit } from "../../spec/model/unit.js";

/** Only the fields the annotation text reads. */
const monitor = (name: string, unit?: Unit): Monitor => ({ name, unit }) as unknown as Monitor;

describe("default annotation text", () => {
  it("spells the acronyms of AI serving and GPU fleets as people write them", () => {
    expect(titleOf(monitor("llm-ttft-p90-high"))).toBe("LLM TTFT P90 high");
    expect(titleOf(monitor("kv-cache-usage-high"))).toBe("KV cache usage high");
    expect(titleOf(monitor("nccl-timeouts"))).toBe("NCCL timeouts");
    expect(titleOf(monitor("sm-clock-drop"))).toBe("SM clock drop");
    expect(titleOf(monitor("rocm-gpu-ecc-errors"))).toBe("ROCm GPU ECC errors");
    expect(titleOf(monitor("http-5xx-ratio"))).toBe("HTTP 5xx ratio");
  });

  it("prints values without an exponent below a million (Go's %.4g wrote 1.234e+04)", () => {
    expect(valueText(monitor("x"))).toBe('{{ printf "%.6g" $value }}');
    expect(valueText(monitor("x", "milliseconds"))).toBe('{{ printf "%.6g" $value }} ms');
    expect(quantityText(monitor("x", "watts"), 15000, "15000")).toBe("15000 W");
  });

  it("writes a ratio limit exactly, never as 100% when it is not", () => {
    expect(percentLiteral(0.99995)).toBe("99.995%");
    expect(percentLiteral(0.05)).toBe("5%");
    expect(quantityText(monitor("x", "ratio"), 0.99995, "0.99995")).toBe("99.995%");
  });
});
