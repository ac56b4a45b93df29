import { classifyHttpStatus } from "./classify-http.js";
import { resize } from "./delivery-outcome.js";
import { chartImageUrl } from "../incidents/chart-image.js";
import type { Destination, SendContext } from "./destination.js";
import { httpDestination, plainTitle, platformBasics } from "./http-destination.js";
import type { PlatformOptions } from "./http-destination.js";

/** Slack's section text limit (https://api.slack.com/reference/block-kit/blocks#section). */
export const SLACK_SECTION_CHARS = 3_000;
const HEADER_CHARS = 150;

export type SlackOptions = PlatformOptions;

/**
 * Slack incoming webhook with Block Kit (https://api.slack.com/messaging/webhooks): a
 * header block, the body in mrkdwn sections of at most 3,000 characters, and `text` as the
 * notification fallback. Slack answers `ok` with 200; errors are HTTP statuses with a
 * short code in the body (invalid_payload 400, action_prohibited 403, channel_not_found
 * 404, channel_is_archived 410, rate limited 429 with Retry-After).
 */
export function slackDestination(options: SlackOptions): Destination {
  return httpDestination({
    ...platformBasics("slack", options),
    target: () => ({ url: options.url }),
    body: (message, context) => ({
      text: message.title,
      blocks: [
        {
          type: "header",
          text: {
            type: "plain_text",
            text: Array.from(plainTitle(message.title)).slice(0, HEADER_CHARS).join(""),
            emoji: true,
          },
        },
        ...splitSections(message.body).map((text) => ({
          type: "section",
          text: { type: "mrkdwn", text },
        })),
        ...imageBlock(context),
      ],
    }),
    classify: (response, now) => {
      if (response.status === 400 && /too_long|too_many_blocks|invalid_blocks/.test(response.body))
        return resize(`HTTP 400: ${response.body.slice(0, 100)}`);
      return classifyHttpStatus(response, now);
    },
  });
}

/**
 * The incident's chart, which Slack fetches from the receiver's external URL
 * (https://api.slack.com/reference/block-kit/blocks#image: image_url and alt_text).
 */
function imageBlock(context: SendContext): Record<string, unknown>[] {
  const image = chartImageUrl(context);
  return image ? [{ type: "image", image_url: image.url, alt_text: image.alt }] : [];
}

/** Splits at line ends so each section stays under Slack's limit and no markup is cut. */
export function splitSections(body: string): string[] {
  const sections: string[] = [];
  let current = "";
  for (const line of body.split("\n")) {
    const candidate = current === "" ? line : `${current}\n${line}`;
    if (candidate.length <= SLACK_SECTION_CHARS) {
      current = candidate;
      continue;
    }
    if (current !== "") sections.push(current);
    let rest = line;
    while (rest.length > SLACK_SECTION_CHARS) {
      sections.push(rest.slice(0, SLACK_SECTION_CHARS));
      rest = rest.slice(SLACK_SECTION_CHARS);
    }
    current = rest;
  }
  if (current.trim() !== "") sections.push(current);
  return sections.length > 0 ? sections : [" "];
}
