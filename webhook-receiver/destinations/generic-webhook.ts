import { classifyHttpStatus } from "./classify-http.js";
import type { Destination, SendContext } from "./destination.js";
import { httpDestination, platformBasics } from "./http-destination.js";
import type { PlatformOptions } from "./http-destination.js";

export interface GenericWebhookOptions extends PlatformOptions {
  readonly headers: Readonly<Record<string, string>>;
}

export const GENERIC_WEBHOOK_VERSION = "1";

/**
 * A JSON webhook for SMS gateways and in-house systems: the rendered text (plain) and the
 * notifications as data, with any enrichment as JSON. The size limit applies to the whole
 * body: a group too large for one request is split into parts, each carrying its own
 * share of the alerts (`notifications[].alerts`) and `part: {index, total}`; every alert
 * is in exactly one part. `Idempotency-Key` (also `idempotencyKey` in the body) is stable
 * across retries and restarts of one part, so a receiver can drop repeats.
 */
export function genericWebhookDestination(options: GenericWebhookOptions): Destination {
  const body = (message: { title: string; body: string }, context: SendContext) => ({
    version: GENERIC_WEBHOOK_VERSION,
    idempotencyKey: context.idempotencyKey,
    ...(context.part ? { part: context.part } : {}),
    title: message.title,
    text: message.body,
    notifications: context.groups.map((g) => ({
      ...g.notification,
      // The stored series are for the incident page; `data` carries every number.
      enrichment: g.enrichment ? { ...g.enrichment, evidence: undefined } : null,
    })),
  });
  return httpDestination({
    ...platformBasics("webhook", options),
    target: (context) => ({
      url: options.url,
      headers: { ...options.headers, "idempotency-key": context.idempotencyKey },
    }),
    body,
    sendsAlertData: true,
    classify: classifyHttpStatus,
  });
}
