import { classifyHttpStatus } from "./classify-http.js";
import type { Destination, SendContext } from "./destination.js";
import type { HttpClient } from "./http-client.js";
import { byteLength, httpDestination } from "./http-destination.js";
import { PLATFORM_LIMITS } from "./platform-limits.js";

export interface GenericWebhookOptions {
  readonly name: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly sizeLimit?: number;
  readonly http: HttpClient;
}

export const GENERIC_WEBHOOK_VERSION = "1";

/**
 * A JSON webhook for SMS gateways and in-house systems: the rendered text (plain) and the
 * notifications as data, with any enrichment as JSON. `Idempotency-Key` stays the same
 * across retries of one delivery, so a receiver can drop repeats.
 */
export function genericWebhookDestination(options: GenericWebhookOptions): Destination {
  const limits = PLATFORM_LIMITS.webhook;
  const body = (message: { title: string; body: string }, context: SendContext) => ({
    version: GENERIC_WEBHOOK_VERSION,
    idempotencyKey: context.idempotencyKey,
    title: message.title,
    text: message.body,
    notifications: context.groups.map((g) => ({
      ...g.notification,
      enrichment: g.enrichment ?? null,
    })),
  });
  return httpDestination({
    name: options.name,
    type: "webhook",
    flavor: limits.flavor,
    sizeUnit: limits.sizeUnit,
    sizeLimit: options.sizeLimit ?? limits.sizeLimit,
    timeoutMs: options.timeoutMs,
    http: options.http,
    target: (context) => ({
      url: options.url,
      headers: { ...options.headers, "idempotency-key": context.idempotencyKey },
    }),
    body,
    measure: (_message, built) => byteLength(built),
    classify: classifyHttpStatus,
  });
}
