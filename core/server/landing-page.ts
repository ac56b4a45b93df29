import type { RequestHandler } from "express";
import { escapeHtml } from "../html/escape-html.js";

export interface LandingLink {
  readonly href: string;
  readonly text: string;
  readonly description?: string;
}

export interface LandingPage {
  /** e.g. "aiwatch exporter". */
  readonly name: string;
  readonly description: string;
  readonly version: string;
  readonly links: readonly LandingLink[];
}

/**
 * GET / as exporter-toolkit's landing page shows it: the server's name, what it does,
 * its version and links to what it serves, so a person who opens the port in a browser
 * finds /metrics and the health endpoints. Only `/` itself: other unknown paths stay 404.
 */
export function landingPageHandler(page: LandingPage | (() => LandingPage)): RequestHandler {
  return (req, res, next) => {
    if (req.path !== "/") {
      next();
      return;
    }
    res
      .type("text/html; charset=utf-8")
      .send(renderLandingPage(typeof page === "function" ? page() : page));
  };
}

export function renderLandingPage(page: LandingPage): string {
  const items = page.links
    .map(
      (link) =>
        `<li><a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a>${link.description ? `: ${escapeHtml(link.description)}` : ""}</li>`,
    )
    .join("\n        ");
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <title>${escapeHtml(page.name)}</title>
    <style>
      body { font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, sans-serif; margin: 0; }
      header { background: #e6522c; color: #fff; padding: 0.5rem 1rem; }
      main { padding: 0 1rem; }
    </style>
  </head>
  <body>
    <header><h1>${escapeHtml(page.name)}</h1></header>
    <main>
      <h2>${escapeHtml(page.description)}</h2>
      <div>Version: ${escapeHtml(page.version)}</div>
      <ul>
        ${items}
      </ul>
    </main>
  </body>
</html>
`;
}
