import { Resvg } from "@resvg/resvg-js";
import type { EvidenceChart } from "./incident-evidence.js";
import { renderChartSvg } from "./svg-chart.js";

const PNG_SIZE = { width: 800, height: 320 };

/**
 * The chart as a PNG for chat platforms that show images, rasterised in-process by resvg
 * (no browser). Text uses the machine's fonts (DejaVu or any sans-serif installed).
 */
export function renderChartPng(chart: EvidenceChart): Buffer {
  const svg = renderChartSvg(chart, PNG_SIZE);
  return new Resvg(svg, {
    fitTo: { mode: "width", value: PNG_SIZE.width * 1.5 },
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
    background: "#ffffff",
  })
    .render()
    .asPng();
}
