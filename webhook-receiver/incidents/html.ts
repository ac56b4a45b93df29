import { createHash } from "node:crypto";
import { escapeHtml } from "../../core/html/escape-html.js";

/**
 * HTML building for the incident pages: every untrusted string (labels, annotations,
 * error texts) goes through `text`, every link through `httpLink`, so nothing from a
 * payload can become markup, a script or a `javascript:` link.
 */
export const text = escapeHtml;

/** An absolute http(s) URL as given, else undefined (javascript:, data:, relative...). */
export function httpUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A link that leaves the page: http(s) only, and without a Referer (the page's own URL may
 * carry its capability token). Anything else is shown as text.
 */
export function httpLink(label: string, url: string | undefined): string {
  const safe = httpUrl(url);
  if (safe === undefined) return url === undefined ? "" : `${text(label)}: ${text(url)}`;
  return `<a href="${text(safe)}" rel="noreferrer noopener">${text(label)}</a>`;
}

export function isoTime(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace(/\.000Z$/, "Z") : "";
}

/** `<time>` with the UTC time, readable and machine-readable. */
export function timeTag(ms: number): string {
  const iso = isoTime(ms);
  return `<time datetime="${iso}">${iso.replace("T", " ").replace("Z", " UTC")}</time>`;
}

export function durationText(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "0s";
  const s = Math.round(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

const STYLE = `
:root{color-scheme:light;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#fff;--panel:#f6f8fa;
--firing:#cf222e;--resolved:#1a7f37;--accent:#0969da;--band:#0969da;--warn:#9a6700}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:980px;margin:0 auto;padding:12px 16px 40px}
h1{font-size:1.35rem;margin:.4rem 0}h2{font-size:1.1rem;margin:1.6rem 0 .5rem;border-bottom:1px solid var(--line);padding-bottom:.2rem}
h3{font-size:1rem;margin:1rem 0 .3rem}
a{color:var(--accent)}
.muted{color:var(--muted)}
.state{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-weight:600;font-size:.85rem}
.state-firing{background:var(--firing)}.state-resolved{background:var(--resolved)}.state-ended{background:var(--muted)}
.verdict{background:var(--panel);border:1px solid var(--line);border-left:4px solid var(--accent);padding:8px 12px;margin:10px 0}
.verdict strong{font-size:1.05rem}
table{border-collapse:collapse;width:100%;margin:.3rem 0}
th,td{text-align:left;vertical-align:top;padding:4px 8px;border-bottom:1px solid var(--line)}
th{font-weight:600;background:var(--panel)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
code,.labels span{font:13px/1.3 ui-monospace,"DejaVu Sans Mono",monospace;overflow-wrap:anywhere}
.labels span{display:inline-block;background:var(--panel);border:1px solid var(--line);border-radius:4px;padding:0 4px;margin:1px 2px}
.alert{border:1px solid var(--line);border-radius:6px;padding:8px 12px;margin:8px 0}
.annotation{white-space:pre-wrap;overflow-wrap:anywhere;margin:.2rem 0}
.chart{border:1px solid var(--line);border-radius:6px;padding:6px;margin:8px 0;break-inside:avoid}
.chart svg{width:100%;height:auto;display:block}
.legend{font-size:.85rem;color:var(--muted)}
.scroll{overflow-x:auto}
ol.timeline{list-style:none;padding:0;margin:0}
ol.timeline li{padding:4px 0 4px 10px;border-left:3px solid var(--line);margin-left:4px}
ol.timeline li.ev-fired{border-color:var(--firing)}ol.timeline li.ev-resolved{border-color:var(--resolved)}
ol.timeline li.ev-failed{border-color:var(--warn)}
nav{font-size:.9rem;margin-bottom:.4rem}
@media (max-width:600px){body{font-size:14px}main{padding:8px}th,td{padding:3px 4px}.hide-narrow{display:none}}
@media print{nav,.noprint{display:none}main{max-width:none;padding:0}a{color:inherit;text-decoration:none}
.chart,.alert,table{break-inside:avoid}body{font-size:11pt}}
`;

/** The page's only stylesheet, allowed by its hash (no inline style attributes are used). */
export const STYLE_HASH = `sha256-${createHash("sha256").update(STYLE).digest("base64")}`;

/**
 * No scripts, no external fetches, no frames, no forms: the page is text and inline SVG
 * styled by one hashed stylesheet. Images only from the receiver itself or inline (the
 * empty favicon, so the browser asks for none).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src '${STYLE_HASH}'`,
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<link rel="icon" href="data:,">
<title>${text(title)}</title>
<style>${STYLE}</style>
</head><body><main>
${body}
</main></body></html>
`;
}
