const ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Text made safe for HTML, in element content and in quoted attribute values alike: the
 * five characters that can end a text or an attribute become entities. The one escaping
 * function for every page and message aiwatch writes as HTML (landing pages, incident
 * pages, HTML e-mail), so none can drift from the others.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}
