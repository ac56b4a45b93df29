import { classifyHttpStatus } from "./classify-http.js";
import { permanent, resize, retry } from "./delivery-outcome.js";
import type { DeliveryOutcome } from "./delivery-outcome.js";
import { chartImageUrl } from "../incidents/chart-image.js";
import type { Destination, SendContext } from "./destination.js";
import type { HttpResponse } from "./http-client.js";
import { httpDestination, isResolvedTitle, platformBasics } from "./http-destination.js";
import type { PlatformOptions } from "./http-destination.js";

export type TeamsOptions = PlatformOptions;

/**
 * Microsoft Teams through a Workflows "When a Teams webhook request is received" trigger,
 * which accepts Adaptive Cards only, wrapped in a `message` with one attachment
 * (https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/
 * connectors-using). The card is version 1.4, the version Teams renders everywhere.
 */
export function teamsDestination(options: TeamsOptions): Destination {
  return httpDestination({
    ...platformBasics("teams", options),
    target: () => ({ url: options.url }),
    body: (message, context) => ({
      type: "message",
      attachments: [
        {
          contentType: "application/vnd.microsoft.card.adaptive",
          contentUrl: null,
          content: {
            $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
            type: "AdaptiveCard",
            version: "1.4",
            msteams: { width: "Full" },
            body: [
              {
                type: "TextBlock",
                text: message.title,
                weight: "Bolder",
                size: "Large",
                wrap: true,
                color: isResolvedTitle(message.title) ? "Good" : "Attention",
              },
              { type: "TextBlock", text: message.body, wrap: true },
              ...imageElement(context),
            ],
          },
        },
      ],
    }),
    classify: classifyTeams,
  });
}

/** The incident's chart as a card Image, fetched by Teams from the receiver's external URL. */
function imageElement(context: SendContext): Record<string, unknown>[] {
  const image = chartImageUrl(context);
  return image ? [{ type: "Image", url: image.url, altText: image.alt, size: "Stretch" }] : [];
}

/**
 * Workflows answers 202 Accepted. The retired Office 365 connectors answered 200 with a
 * body of "1" on success and 200 with "Microsoft Teams endpoint returned HTTP error 429"
 * (or 413, 5xx) when Teams itself refused: the error is in band, inside a 200.
 */
export function classifyTeams(response: HttpResponse, now: number): DeliveryOutcome {
  if (response.status >= 200 && response.status < 300) {
    const inBand = /returned HTTP error (\d{3})|delivery failed/i.exec(response.body);
    if (!inBand) return classifyHttpStatus(response, now);
    const code = Number(inBand[1] ?? 0);
    const detail = `Teams in-band error: ${response.body.slice(0, 200)}`;
    if (code === 429) return retry(detail, undefined, true);
    if (code === 413) return resize(detail);
    if (code === 0 || code >= 500) return retry(detail);
    return permanent(detail);
  }
  return classifyHttpStatus(response, now);
}
