import { describe, expect, it } from "vitest";
import { parseRocmJson } from "../../../exporters/gpu/rocm-smi/parse-rocm-json.js";
import { absentReason } from "../../../exporters/gpu/tools/tool-value.js";

describe("tool text that names Object.prototype members", () => {
  it("is an unknown marker, not a prototype function", () => {
    expect(absentReason("[constructor]")).toBe("other_marker");
    expect(absentReason("[toString]")).toBe("other_marker");
    expect(absentReason("[__proto__]")).toBe("other_marker");
    expect(absentReason("[N/A]")).toBe("not_available");
  });

  it("keeps a rocm-smi field called __proto__ as a field", () => {
    const json = parseRocmJson('{"card0": {"__proto__": "1", "Unique ID": "0x1"}}');
    expect(Object.entries(json.cards[0]?.fields ?? {})).toEqual([
      ["__proto__", "1"],
      ["Unique ID", "0x1"],
    ]);
  });
});
