import { describe, expect, it } from "vitest";
import { ExpositionRegistry } from "../../../exporters/exposition/exposition-registry.js";

/** The exposition store's untyped families, added for dcgm-exporter's counter names. */
describe("untyped families", () => {
  it("render as untyped in the text format and unknown in OpenMetrics, under their own name", () => {
    const registry = new ExpositionRegistry(
      () => 10,
      () => undefined,
    );
    const family = registry.scope("gpu").untyped({
      name: "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL",
      help: "Total number of double-bit volatile ECC errors.",
      labelNames: ["gpu"],
    });
    family.set(["0"], 3);
    expect(registry.renderText()).toBe(
      '# HELP DCGM_FI_DEV_ECC_DBE_VOL_TOTAL Total number of double-bit volatile ECC errors.\n# TYPE DCGM_FI_DEV_ECC_DBE_VOL_TOTAL untyped\nDCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu="0"} 3\n',
    );
    expect(registry.renderOpenMetrics()).toBe(
      '# HELP DCGM_FI_DEV_ECC_DBE_VOL_TOTAL Total number of double-bit volatile ECC errors.\n# TYPE DCGM_FI_DEV_ECC_DBE_VOL_TOTAL unknown\nDCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu="0"} 3\n',
    );
  });
});
