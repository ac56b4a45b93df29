import type { MarkupFlavor } from "../render/escape.js";
import type { SizeUnit } from "../render/measure.js";
import type { GroupInput } from "../render/render-context.js";
import type { DeliveryOutcome } from "./delivery-outcome.js";

export const DESTINATION_TYPES = [
  "slack",
  "dingtalk",
  "feishu",
  "wecom",
  "teams",
  "discord",
  "email",
  "webhook",
  "console",
] as const;

export type DestinationType = (typeof DESTINATION_TYPES)[number];

/** A message rendered by the templates, in the destination's markup. */
export interface RenderedMessage {
  readonly title: string;
  readonly body: string;
}

export interface SendContext {
  /** Stable across retries of the same delivery: lets receivers that support it drop repeats. */
  readonly idempotencyKey: string;
  /** The notifications in the message, for destinations that send data, not text. */
  readonly groups: readonly GroupInput[];
  readonly now: number;
}

/**
 * A configured place messages go to. `measure` counts a message the way the platform
 * counts it against `sizeLimit` (bytes of the field, or of the whole request, per the
 * platform's documentation); `request` is what would be sent, for the preview.
 */
export interface Destination {
  readonly name: string;
  readonly type: DestinationType;
  readonly flavor: MarkupFlavor;
  readonly sizeUnit: SizeUnit;
  readonly sizeLimit: number;
  measure(message: RenderedMessage, context: SendContext): number;
  request(message: RenderedMessage, context: SendContext): unknown;
  send(message: RenderedMessage, context: SendContext): Promise<DeliveryOutcome>;
}

/** Sustained rate and burst of a destination's token bucket. */
export interface RateLimit {
  readonly perMinute: number;
  readonly burst: number;
}
