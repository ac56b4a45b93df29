import { escapeHtml } from "../../core/html/escape-html.js";

/**
 * Escaping of untrusted text (label values, annotations) per platform, so a label cannot
 * format the message, inject a link or notify a channel. Values are escaped once, when the
 * render context is built; templates then print them as they are.
 */
export type MarkupFlavor = "slack" | "discord" | "markdown" | "teams" | "html" | "plain";

const ZERO_WIDTH_SPACE = "\u200b";
// Characters that format text anywhere in a line; "-", "+", "." and "!" only matter at a
// line start, where templates never put a value, so escaping them would only add noise.
const MARKDOWN_SPECIALS = /[\\`*_{}[\]()#|~>]/g;

export function escapeText(text: string, flavor: MarkupFlavor): string {
  switch (flavor) {
    case "slack":
      // https://api.slack.com/reference/surfaces/formatting#escaping: only &, < and > are
      // control characters; escaping them disarms <!channel>, <@U123> and <url|label>.
      return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    case "discord":
      // Discord markdown honours backslash escapes; @everyone/@here are also disarmed by a
      // zero-width space (and allowed_mentions: {parse: []} is always sent).
      return text
        .replace(/[\\`*_~|>#[\]()<]/g, (c) => `\\${c}`)
        .replace(/@(everyone|here)/gi, `@${ZERO_WIDTH_SPACE}$1`);
    case "markdown":
      // DingTalk, WeCom and Feishu markdown: entity-escape the HTML they render (<font>,
      // WeCom's <@userid>, Feishu's <at id=all>), backslash-escape markdown, and break
      // "@all"/"@所有人" so the text never reads as a mention.
      return escapeMarkdown(
        text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"),
      ).replace(/@/g, `@${ZERO_WIDTH_SPACE}`);
    case "teams":
      // Adaptive Card TextBlock markdown; <at> only mentions when declared in
      // msteams.entities (never done here), and entity-escaping keeps it inert text.
      return escapeMarkdown(
        text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"),
      );
    case "html":
      return escapeHtml(text);
    case "plain":
      return text;
  }
}

function escapeMarkdown(text: string): string {
  // `&amp;`-style entities contain no specials except none; keep `;` and `&` as they are.
  return text.replace(MARKDOWN_SPECIALS, (c) => `\\${c}`);
}

/**
 * A link in the platform's syntax, or just the label when the URL is not http(s): a
 * payload must never smuggle `javascript:` or a Slack control sequence through a link.
 */
export function formatLink(label: string, url: string | undefined, flavor: MarkupFlavor): string {
  const safe = url !== undefined ? safeUrl(url) : undefined;
  const text = escapeText(label, flavor);
  if (!safe) return text;
  switch (flavor) {
    case "slack":
      return `<${safe}|${text}>`;
    case "html":
      return `<a href="${escapeText(safe, "html")}">${text}</a>`;
    case "plain":
      return `${label}: ${safe}`;
    default:
      return `[${text}](${safe})`;
  }
}

/** http(s) URLs only, with the characters that end a link in any markup percent-encoded. */
export function safeUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return undefined;
  return parsed.href.replace(
    /[()<>|\s"'`[\]]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
  );
}
