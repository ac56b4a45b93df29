import { classifyHttpStatus, parseJsonObject } from "./classify-http.js";
import { resize, retry } from "./delivery-outcome.js";
import type { DeliveryOutcome } from "./delivery-outcome.js";
import { chartImageUrl } from "../incidents/chart-image.js";
import type { Destination } from "./destination.js";
import type { HttpResponse } from "./http-client.js";
import { httpDestination, isResolvedTitle, platformBasics } from "./http-destination.js";
import type { PlatformOptions } from "./http-destination.js";

export type DiscordOptions = PlatformOptions;

const TITLE_CHARS = 256;

/**
 * Discord "Execute Webhook" (https://discord.com/developers/docs/resources/webhook#execute-
 * webhook) with one embed; `allowed_mentions: {parse: []}` so no text can ping anyone.
 * Discord answers 204; 429 carries `retry_after` in seconds and a Retry-After header;
 * a field over its limit is a 400 with code 50035 and BASE_TYPE_MAX_LENGTH.
 */
export function discordDestination(options: DiscordOptions): Destination {
  return httpDestination({
    ...platformBasics("discord", options),
    target: () => ({ url: options.url }),
    body: (message, context) => {
      // The incident's chart, fetched by Discord from the receiver's external URL.
      const image = chartImageUrl(context);
      return {
        allowed_mentions: { parse: [] },
        embeds: [
          {
            title: Array.from(message.title).slice(0, TITLE_CHARS).join(""),
            description: message.body,
            color: isResolvedTitle(message.title) ? 0x2eb886 : 0xd00000,
            ...(image ? { image: { url: image.url } } : {}),
          },
        ],
      };
    },
    classify: classifyDiscord,
  });
}

export function classifyDiscord(response: HttpResponse, now: number): DeliveryOutcome {
  if (response.status === 429) {
    const body = parseJsonObject(response.body);
    const seconds = typeof body?.["retry_after"] === "number" ? body["retry_after"] : undefined;
    const header = classifyHttpStatus(response, now);
    const fromHeader = header.kind === "retry" ? header.retryAfterMs : undefined;
    const fromBody = seconds !== undefined ? Math.ceil(seconds * 1000) : undefined;
    const wait = Math.max(fromHeader ?? 0, fromBody ?? 0);
    return retry(`Discord rate limited (HTTP 429)`, wait > 0 ? wait : undefined, true);
  }
  if (response.status === 400 && /BASE_TYPE_MAX_LENGTH/.test(response.body))
    return resize(`Discord 400: ${response.body.slice(0, 200)}`);
  return classifyHttpStatus(response, now);
}
