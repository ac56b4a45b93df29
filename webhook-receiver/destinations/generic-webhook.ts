import { classifyHttpStatus } from "./classify-http.js";
import type { Destination, SendContext } from "./destination.js";
import { byteLength, httpDestination, platformBasics } from "./http-destination.js";
import type { PlatformOptions } from "./http-destination.js";

export interface GenericWebhookOptions extends PlatformOptions {
  readonly headers: Readonly<Record<string, string>>;
}

export const GENERIC_WEBHOOK_VERSION = "1";

/**
 * A JSON webhook for SMS gateways and in-house systems: the rendered text (plain) and the
 * notifications as data, with any enrichment as JSON. `Idempotency-Key` stays the same
 * across retries of one delivery, so a receiver can drop repeats.
 */
export function genericWebhookDestination(options: GenericWebhookOptions): Destination {
  const body = (message: { title: string; body: string }, context: SendContext) => ({
    version: GENERIC_WEBHOOK_VERSION,
    idempotencyKey: context.idempotencyKey,
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
    measure: (_message, built) => byteLength(built),
    classify: classifyHttpStatus,
  });
}
