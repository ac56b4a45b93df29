import { isRecord, startStandIn, textOf } from "./stand-in-server.js";
import type { PlatformAnswer, StandIn } from "./stand-in-server.js";

/**
 * Slack incoming webhook stand-in (https://api.slack.com/messaging/webhooks): answers
 * "ok"; errors are HTTP statuses with a code in the body: 400 invalid_payload/no_text/
 * invalid_blocks, 404 no_service (wrong URL), 429 with Retry-After, 500 rollup_error.
 * Checks Block Kit limits: 50 blocks, header 150 characters, section text 3,000.
 */
export async function startSlackStandIn(
  path = "/services/T000/B000/XXXXSECRET",
): Promise<StandIn & { url: string }> {
  const text = (
    status: number,
    body: string,
    headers?: Record<string, string>,
  ): PlatformAnswer => ({
    status,
    body,
    headers: { "content-type": "text/plain", ...headers },
  });
  const standIn = await startStandIn({
    ok: text(200, "ok"),
    failure: (kind) =>
      kind === "rate-limit"
        ? text(429, "rate_limited", { "retry-after": "1" })
        : kind === "server-error"
          ? text(500, "rollup_error")
          : text(403, "action_prohibited"),
    check: (request) => {
      if (request.path !== path) return text(404, "no_service");
      const body = request.json;
      if (!isRecord(body)) return text(400, "invalid_payload");
      const blocks = Array.isArray(body["blocks"]) ? (body["blocks"] as unknown[]) : [];
      if (typeof body["text"] !== "string" && blocks.length === 0) return text(400, "no_text");
      if (blocks.length > 50) return text(400, "invalid_blocks");
      const parts: string[] = [textOf(body["text"])];
      for (const block of blocks) {
        // https://api.slack.com/reference/block-kit/blocks#image: an image_url Slack can
        // fetch (at most 3,000 characters) and alt_text (at most 2,000).
        if (isRecord(block) && block["type"] === "image") {
          const url = textOf(block["image_url"]);
          const alt = textOf(block["alt_text"]);
          if (!/^https?:\/\//.test(url) || url.length > 3000 || alt === "" || alt.length > 2000)
            return text(400, "invalid_blocks");
          continue;
        }
        if (!isRecord(block) || !isRecord(block["text"])) return text(400, "invalid_blocks");
        const t = textOf(block["text"]["text"]);
        if (
          block["type"] === "header" &&
          (t.length > 150 || block["text"]["type"] !== "plain_text")
        )
          return text(400, "invalid_blocks");
        if (block["type"] === "section" && (t.length > 3000 || t.length === 0))
          return text(400, "invalid_blocks");
        if (block["type"] !== "header") parts.push(t);
      }
      const visible = parts.join("\n");
      // In mrkdwn, <!channel>, <!here>, <!everyone> and <@U…> notify people.
      return {
        accept: {
          request,
          text: visible,
          mentions: /<!(channel|here|everyone)|<@[UW]/.test(visible),
        },
      };
    },
  });
  return Object.assign(standIn, { url: `${standIn.base}${path}` });
}
