import { existsSync } from "node:fs";
import { renderAsync } from "@resvg/resvg-js";
import type { ResvgRenderOptions } from "@resvg/resvg-js";
import type { EvidenceChart } from "./incident-evidence.js";
import { renderChartSvg } from "./svg-chart.js";

const PNG_SIZE = { width: 800, height: 320 };
/** Debian's fonts-dejavu-core: loading one folder is much faster than every system font. */
const DEJAVU = "/usr/share/fonts/truetype/dejavu";
/** Charts kept rendered: a platform fetching the same image again costs nothing. */
const CACHE_SIZE = 32;

const FONT: ResvgRenderOptions["font"] = existsSync(DEJAVU)
  ? { loadSystemFonts: false, fontDirs: [DEJAVU], defaultFontFamily: "DejaVu Sans" }
  : { loadSystemFonts: true };

/**
 * The chart as a PNG for chat platforms that show images, rasterised by resvg (no browser)
 * on libuv's thread pool, so the event loop keeps answering webhooks meanwhile. The last
 * few are cached by their SVG: the same chart is rendered once however often it is fetched.
 */
export class ChartPngRenderer {
  private readonly cache = new Map<string, Promise<Buffer>>();

  render(chart: EvidenceChart): Promise<Buffer> {
    const svg = renderChartSvg(chart, PNG_SIZE);
    const cached = this.cache.get(svg);
    if (cached) {
      // Most recently used last.
      this.cache.delete(svg);
      this.cache.set(svg, cached);
      return cached;
    }
    const rendered = renderAsync(svg, {
      fitTo: { mode: "width", value: PNG_SIZE.width * 1.5 },
      font: FONT,
      background: "#ffffff",
    }).then((image) => image.asPng());
    this.cache.set(svg, rendered);
    rendered.catch(() => this.cache.delete(svg));
    while (this.cache.size > CACHE_SIZE) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
    return rendered;
  }
}
