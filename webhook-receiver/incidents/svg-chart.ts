import { text } from "./html.js";
import { linePoints, numericValue } from "./incident-evidence.js";
import type { ChartLine, EvidenceChart, StoredValue } from "./incident-evidence.js";
import { timeTicks, valueAxis } from "./chart-scale.js";
import type { AxisTick } from "./chart-scale.js";

export interface ChartSize {
  readonly width: number;
  readonly height: number;
}

export const DEFAULT_CHART_SIZE: ChartSize = { width: 720, height: 300 };

const MARGIN = { left: 62, right: 14, top: 26, bottom: 58 };
const FONT = 'font-family="DejaVu Sans, Arial, sans-serif"';
const COLORS = {
  signal: "#24292f",
  band: "#0969da",
  threshold: "#cf222e",
  nonFinite: "#cf222e",
  onset: "#8250df",
  start: "#cf222e",
  change: "#9a6700",
  grid: "#d0d7de",
  axis: "#57606a",
  baseline: "#8c959f",
};
const MARKER_COLOR = { onset: COLORS.onset, start: COLORS.start, change: COLORS.change };

interface LineStyle {
  readonly color: string;
  readonly dash: string;
}
/** Both sides of a detector's band ("upper band", "lower band") share one style... */
const BAND_SIDE: LineStyle = { color: COLORS.band, dash: "6 4" };
/** ...and each other line of the view (a mean, a median, a forecast, a limit) has its own. */
const VIEW_LINE_STYLES: readonly LineStyle[] = [
  { color: "#57606a", dash: "2 3" },
  { color: "#bc4c00", dash: "10 3 2 3" },
  { color: "#1a7f37", dash: "4 2" },
];

function bandLineStyles(lines: readonly ChartLine[]): Map<ChartLine, LineStyle> {
  const styles = new Map<ChartLine, LineStyle>();
  let next = 0;
  for (const line of lines.filter((l) => l.role === "band"))
    styles.set(
      line,
      /\bband$/.test(line.name)
        ? BAND_SIDE
        : (VIEW_LINE_STYLES[next++ % VIEW_LINE_STYLES.length] ?? BAND_SIDE),
    );
  return styles;
}

interface Plot {
  x(t: number): number;
  y(v: number): number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

/**
 * One evidence chart as a self-contained SVG (inline on the page, rasterised for chat):
 * the series, the detector's band lines or fixed threshold, the scoring baseline band,
 * NaN/Inf stretches as shaded gaps, missing data as breaks, the onset and other moments
 * as vertical markers, and axes with the unit and time relative to the onset. Colours
 * and fonts are attributes, never `style`, so the page's Content-Security-Policy holds.
 */
export function renderChartSvg(chart: EvidenceChart, size: ChartSize = DEFAULT_CHART_SIZE): string {
  const points = new Map(chart.lines.map((l) => [l, linePoints(l)]));
  const pointsOf = (line: ChartLine): readonly (readonly [number, StoredValue])[] =>
    points.get(line) ?? [];
  const onset = chart.markers.find((m) => m.kind === "onset")?.t;
  const times = [
    ...chart.lines.flatMap((l) => pointsOf(l).map((p) => p[0])),
    ...chart.markers.map((m) => m.t),
  ];
  const xMin = Math.min(...times);
  const xMax = Math.max(...times);
  const finite = chart.lines
    .flatMap((l) => pointsOf(l).map((p) => numericValue(p[1])))
    .filter(Number.isFinite);
  if (chart.threshold) finite.push(chart.threshold.value);
  if (chart.band) finite.push(chart.band.lower, chart.band.upper);
  const yTicks = valueAxis(
    finite.length > 0 ? Math.min(...finite) : 0,
    finite.length > 0 ? Math.max(...finite) : 1,
    5,
    chart.unit,
  );
  const yMin = yTicks[0]?.value ?? 0;
  const yMax = yTicks[yTicks.length - 1]?.value ?? 1;
  const plot = makePlot(size, times.length > 0 ? xMin : 0, times.length > 0 ? xMax : 1, yMin, yMax);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size.width} ${size.height}" width="${size.width}" height="${size.height}" role="img" aria-label="${text(chart.title)}" data-chart="${chart.monitor !== undefined ? text(chart.monitor) : "signal"}">`,
    `<title>${text(chart.title)}</title>`,
    `<rect x="0" y="0" width="${size.width}" height="${size.height}" fill="#ffffff"/>`,
    `<text x="${MARGIN.left}" y="16" font-size="13" font-weight="bold" fill="${COLORS.signal}" ${FONT}>${text(truncate(chart.title, 90))}</text>`,
  );
  if (chart.baselineEndMs !== undefined && chart.baselineEndMs > xMin)
    parts.push(
      `<rect data-region="baseline" x="${f(plot.left)}" y="${f(plot.top)}" width="${f(Math.max(0, plot.x(Math.min(chart.baselineEndMs, xMax)) - plot.left))}" height="${f(plot.bottom - plot.top)}" fill="${COLORS.baseline}" fill-opacity="0.08"/>`,
      `<text x="${f(plot.left + 4)}" y="${f(plot.top + 12)}" font-size="10" fill="${COLORS.axis}" ${FONT}>baseline</text>`,
    );
  parts.push(...yGrid(plot, yTicks, chart.unit));
  parts.push(...xAxis(plot, xMin, xMax, onset));
  if (chart.band) {
    const top = plot.y(Math.min(yMax, chart.band.upper));
    const bottom = plot.y(Math.max(yMin, chart.band.lower));
    parts.push(
      `<rect data-band="scoring" x="${f(plot.left)}" y="${f(top)}" width="${f(plot.right - plot.left)}" height="${f(Math.max(0.5, bottom - top))}" fill="${COLORS.band}" fill-opacity="0.12"/>`,
    );
  }
  for (const line of chart.lines) parts.push(...nonFiniteGaps(plot, line, pointsOf(line)));
  const styles = bandLineStyles(chart.lines);
  for (const [line, style] of styles)
    parts.push(linePath(plot, line, pointsOf(line), style.color, style.dash, 1.5));
  if (chart.threshold) {
    const y = f(plot.y(chart.threshold.value));
    parts.push(
      `<line data-threshold="${chart.threshold.value}" x1="${f(plot.left)}" x2="${f(plot.right)}" y1="${y}" y2="${y}" stroke="${COLORS.threshold}" stroke-width="1.5" stroke-dasharray="8 4"/>`,
    );
  }
  for (const line of chart.lines.filter((l) => l.role === "signal"))
    parts.push(linePath(plot, line, pointsOf(line), COLORS.signal, undefined, 2));
  parts.push(...markers(plot, chart));
  parts.push(...legend(size, chart, [...points.values()], styles));
  parts.push("</svg>");
  return parts.join("");
}

function makePlot(size: ChartSize, xMin: number, xMax: number, yMin: number, yMax: number): Plot {
  const left = MARGIN.left;
  const right = size.width - MARGIN.right;
  const top = MARGIN.top;
  const bottom = size.height - MARGIN.bottom;
  const xSpan = xMax - xMin || 1;
  const ySpan = yMax - yMin || 1;
  return {
    left,
    right,
    top,
    bottom,
    x: (t) => left + ((t - xMin) / xSpan) * (right - left),
    y: (v) => bottom - ((v - yMin) / ySpan) * (bottom - top),
  };
}

function yGrid(plot: Plot, ticks: readonly AxisTick[], unit: string): string[] {
  const out: string[] = [];
  for (const tick of ticks) {
    const y = f(plot.y(tick.value));
    out.push(
      `<line x1="${f(plot.left)}" x2="${f(plot.right)}" y1="${y}" y2="${y}" stroke="${COLORS.grid}" stroke-width="1"/>`,
      `<text x="${f(plot.left - 6)}" y="${y}" dy="4" text-anchor="end" font-size="11" fill="${COLORS.axis}" ${FONT}>${text(tick.label)}</text>`,
    );
  }
  const middle = f((plot.top + plot.bottom) / 2);
  if (unit !== "")
    out.push(
      `<text data-axis="y" x="12" y="${middle}" transform="rotate(-90 12 ${middle})" text-anchor="middle" font-size="11" fill="${COLORS.axis}" ${FONT}>${text(unit)}</text>`,
    );
  return out;
}

function xAxis(plot: Plot, xMin: number, xMax: number, onset: number | undefined): string[] {
  const out = [
    `<line x1="${f(plot.left)}" x2="${f(plot.right)}" y1="${f(plot.bottom)}" y2="${f(plot.bottom)}" stroke="${COLORS.axis}" stroke-width="1"/>`,
  ];
  for (const tick of timeTicks(xMin, xMax, onset ?? xMin, 7)) {
    const x = f(plot.x(tick.t));
    out.push(
      `<line x1="${x}" x2="${x}" y1="${f(plot.bottom)}" y2="${f(plot.bottom + 4)}" stroke="${COLORS.axis}"/>`,
      `<text x="${x}" y="${f(plot.bottom + 16)}" text-anchor="middle" font-size="11" fill="${COLORS.axis}" ${FONT}>${text(tick.label)}</text>`,
    );
  }
  const label =
    onset !== undefined
      ? `time from onset (${new Date(onset).toISOString().slice(0, 19).replace("T", " ")} UTC)`
      : "time (UTC)";
  out.push(
    `<text data-axis="x" x="${f((plot.left + plot.right) / 2)}" y="${f(plot.bottom + 30)}" text-anchor="middle" font-size="11" fill="${COLORS.axis}" ${FONT}>${text(label)}</text>`,
  );
  return out;
}

/**
 * The series as a path, broken where data is missing (a gap longer than twice the usual
 * spacing) or not finite, so a gap never looks like a straight line between its ends.
 */
function linePath(
  plot: Plot,
  line: ChartLine,
  points: readonly (readonly [number, StoredValue])[],
  color: string,
  dash: string | undefined,
  width: number,
): string {
  const spacing = usualSpacing(points.map((p) => p[0]));
  let d = "";
  let previous: number | undefined;
  for (const [t, stored] of points) {
    const v = numericValue(stored);
    if (!Number.isFinite(v)) {
      previous = undefined;
      continue;
    }
    const jump = previous === undefined || t - previous > spacing * 2;
    d += `${jump ? "M" : "L"}${f(plot.x(t))} ${f(plot.y(v))}`;
    previous = t;
  }
  const dashAttr = dash ? ` stroke-dasharray="${dash}"` : "";
  if (d === "") return "";
  return `<path data-line="${line.role}" data-name="${text(line.name)}" d="${d}" fill="none" stroke="${color}" stroke-width="${width}" stroke-linejoin="round"${dashAttr}/>`;
}

/** Each run of NaN/Inf values as a shaded, labelled column: a gap a reader cannot miss. */
function nonFiniteGaps(
  plot: Plot,
  line: ChartLine,
  points: readonly (readonly [number, StoredValue])[],
): string[] {
  if (line.role !== "signal") return [];
  const out: string[] = [];
  const spacing = usualSpacing(points.map((p) => p[0]));
  let run: { from: number; to: number; kinds: Set<StoredValue> } | undefined;
  const flush = (): void => {
    if (!run) return;
    const x1 = plot.x(run.from - spacing / 2);
    const x2 = plot.x(run.to + spacing / 2);
    const left = Math.max(plot.left, x1);
    const width = Math.max(2, Math.min(plot.right, x2) - left);
    const label = [...run.kinds].join("/");
    out.push(
      `<rect data-nonfinite="${label}" x="${f(left)}" y="${f(plot.top)}" width="${f(width)}" height="${f(plot.bottom - plot.top)}" fill="${COLORS.nonFinite}" fill-opacity="0.18"/>`,
      `<text x="${f(left + width / 2)}" y="${f(plot.top + 12)}" text-anchor="middle" font-size="11" font-weight="bold" fill="${COLORS.nonFinite}" ${FONT}>${label}</text>`,
    );
    run = undefined;
  };
  for (const [t, stored] of points) {
    if (typeof stored === "number") {
      flush();
      continue;
    }
    if (run) {
      run.to = t;
      run.kinds.add(stored);
    } else run = { from: t, to: t, kinds: new Set([stored]) };
  }
  flush();
  return out;
}

function markers(plot: Plot, chart: EvidenceChart): string[] {
  const out: string[] = [];
  // Labels of markers close together stack instead of overlapping.
  let row = 0;
  let lastX = -Infinity;
  for (const marker of [...chart.markers].sort((a, b) => a.t - b.t)) {
    const x = plot.x(marker.t);
    row = x - lastX < 70 ? row + 1 : 0;
    lastX = x;
    const color = MARKER_COLOR[marker.kind];
    const dash = marker.kind === "onset" ? "" : ' stroke-dasharray="3 3"';
    // A label that would run past the plot's right edge is written to the left of its line.
    const fitsRight = x + 6 + marker.label.length * 6.2 <= plot.right;
    out.push(
      `<line data-marker="${marker.kind}" x1="${f(x)}" x2="${f(x)}" y1="${f(plot.top)}" y2="${f(plot.bottom)}" stroke="${color}" stroke-width="${marker.kind === "onset" ? 2 : 1.5}"${dash}/>`,
      `<text x="${f(fitsRight ? x + 3 : x - 3)}" y="${f(plot.top + 26 + row * 12)}"${fitsRight ? "" : ' text-anchor="end"'} font-size="11" fill="${color}" ${FONT}>${text(marker.label)}</text>`,
    );
  }
  return out;
}

function legend(
  size: ChartSize,
  chart: EvidenceChart,
  points: readonly (readonly (readonly [number, StoredValue])[])[],
  styles: ReadonlyMap<ChartLine, LineStyle>,
): string[] {
  const items: { label: string; swatch: string }[] = [];
  const lineSwatch = (color: string, dash?: string): string =>
    `<line x1="0" x2="18" y1="-4" y2="-4" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ""}/>`;
  const areaSwatch = (color: string, opacity: number): string =>
    `<rect x="0" y="-9" width="18" height="10" fill="${color}" fill-opacity="${opacity}"/>`;
  for (const line of chart.lines) {
    const style = styles.get(line);
    items.push({
      label: line.name,
      swatch: style ? lineSwatch(style.color, style.dash) : lineSwatch(COLORS.signal),
    });
  }
  if (chart.band) items.push({ label: chart.band.label, swatch: areaSwatch(COLORS.band, 0.2) });
  if (chart.threshold)
    items.push({ label: chart.threshold.label, swatch: lineSwatch(COLORS.threshold, "8 4") });
  if (points.some((line) => line.some((p) => typeof p[1] !== "number")))
    items.push({ label: "NaN / Inf", swatch: areaSwatch(COLORS.nonFinite, 0.3) });
  const out: string[] = [];
  let x = MARGIN.left;
  const y = size.height - 8;
  for (const item of items) {
    const label = truncate(item.label, 48);
    const width = 26 + label.length * 6.2;
    if (x + width > size.width - MARGIN.right && x > MARGIN.left) break;
    out.push(
      `<g transform="translate(${f(x)} ${f(y)})">${item.swatch}<text x="22" y="0" font-size="11" fill="${COLORS.axis}" ${FONT}>${text(label)}</text></g>`,
    );
    x += width + 10;
  }
  return out;
}

function usualSpacing(times: readonly number[]): number {
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) {
    const a = times[i - 1];
    const b = times[i];
    if (a !== undefined && b !== undefined && b > a) gaps.push(b - a);
  }
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)] ?? 1;
}

function truncate(value: string, max: number): string {
  const chars = Array.from(value);
  return chars.length <= max ? value : `${chars.slice(0, max - 1).join("")}…`;
}

/** Coordinates with one decimal: enough for a crisp line, small for the page. */
function f(n: number): string {
  return Number.isFinite(n) ? String(Math.round(n * 10) / 10) : "0";
}
