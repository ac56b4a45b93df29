import { isRecord, json, startStandIn, textOf } from "./stand-in-server.js";
import type { StandIn } from "./stand-in-server.js";

/**
 * Discord webhook stand-in (https://discord.com/developers/docs/resources/webhook#execute-
 * webhook): answers 204; limits per https://discord.com/developers/docs/resources/
 * message#embed-object-embed-limits (title 256, description 4,096, all embeds 6,000,
 * content 2,000) are a 400 with code 50035 and BASE_TYPE_MAX_LENGTH; 429 carries
 * retry_after (seconds) and Retry-After. @everyone/@here ping unless allowed_mentions
 * says otherwise.
 */
export async function startDiscordStandIn(
  id = "1234",
  token = "SECRETTOKEN",
): Promise<StandIn & { url: string }> {
  const path = `/api/webhooks/${id}/${token}`;
  const tooLong = (field: string, max: number) =>
    json(400, {
      code: 50035,
      errors: {
        [field]: {
          _errors: [
            { code: "BASE_TYPE_MAX_LENGTH", message: `Must be ${max} or fewer in length.` },
          ],
        },
      },
      message: "Invalid Form Body",
    });
  const standIn = await startStandIn({
    ok: { status: 204, body: "" },
    failure: (kind) =>
      kind === "rate-limit"
        ? json(
            429,
            { message: "You are being rate limited.", retry_after: 1.2, global: false },
            { "retry-after": "2" },
          )
        : kind === "in-band-error"
          ? json(400, { code: 50006, message: "Cannot send an empty message" })
          : json(502, { message: "502: Bad Gateway", code: 0 }),
    check: (request) => {
      if (request.path !== path) return json(404, { message: "Unknown Webhook", code: 10015 });
      const body = request.json;
      if (!isRecord(body))
        return json(400, { code: 50109, message: "The request body contains invalid JSON." });
      const content = typeof body["content"] === "string" ? body["content"] : "";
      if (content.length > 2000) return tooLong("content", 2000);
      const embeds = Array.isArray(body["embeds"]) ? (body["embeds"] as unknown[]) : [];
      if (content === "" && embeds.length === 0)
        return json(400, { code: 50006, message: "Cannot send an empty message" });
      let total = 0;
      const texts = [content];
      for (const [i, embed] of embeds.entries()) {
        if (!isRecord(embed)) return json(400, { code: 50035, message: "Invalid Form Body" });
        const title = textOf(embed["title"]);
        const description = textOf(embed["description"]);
        if (Array.from(title).length > 256) return tooLong(`embeds.${i}.title`, 256);
        if (Array.from(description).length > 4096) return tooLong(`embeds.${i}.description`, 4096);
        total += Array.from(title).length + Array.from(description).length;
        texts.push(title, description);
      }
      if (total > 6000) return tooLong("embeds", 6000);
      const allowed = isRecord(body["allowed_mentions"]) ? body["allowed_mentions"] : undefined;
      const parseNothing =
        allowed !== undefined && Array.isArray(allowed["parse"]) && allowed["parse"].length === 0;
      const visible = texts.join("\n");
      return {
        accept: {
          request,
          text: visible,
          mentions: !parseNothing && /@(everyone|here)|<@[!&]?\d+>/.test(visible),
        },
      };
    },
  });
  return Object.assign(standIn, { url: `${standIn.base}${path}` });
}
