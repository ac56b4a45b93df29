import { describe, expect, it } from "vitest";
import { escapeHtml } from "../../core/html/escape-html.js";
import { renderLandingPage } from "../../core/server/landing-page.js";
import { text } from "../../webhook-receiver/incidents/html.js";
import { escapeText } from "../../webhook-receiver/render/escape.js";

const HOSTILE = `<img src=x onerror="alert('1')"> & co`;
const ESCAPED = "&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt; &amp; co";

describe("escapeHtml: the one HTML escaping", () => {
  it("turns the five characters that end text or a quoted attribute into entities", () => {
    expect(escapeHtml(HOSTILE)).toBe(ESCAPED);
    expect(escapeHtml("plain text, 日本語")).toBe("plain text, 日本語");
  });

  it("is what the landing page, the incident pages and HTML messages use", () => {
    expect(text(HOSTILE)).toBe(ESCAPED);
    expect(escapeText(HOSTILE, "html")).toBe(ESCAPED);
    const page = renderLandingPage({
      name: "aiwatch <exporter>",
      description: HOSTILE,
      version: "1.0.0",
      links: [{ href: "/metrics?a=1&b=2", text: "Metrics" }],
    });
    expect(page).toContain(`<h2>${ESCAPED}</h2>`);
    expect(page).toContain("<title>aiwatch &lt;exporter&gt;</title>");
    expect(page).toContain('<a href="/metrics?a=1&amp;b=2">');
  });
});
