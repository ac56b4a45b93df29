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
  /** Which part of a split delivery this is; absent when the delivery is one message. */
  readonly part?: { readonly index: number; readonly total: number };
}

/**
 * A configured place messages go to. `measure` counts the whole request (every field the
 * platform receives, not only the text) in `sizeUnit`, against `sizeLimit`; `request` is
 * what would be sent, for the preview.
 */
export interface Destination {
  readonly name: string;
  readonly type: DestinationType;
  readonly flavor: MarkupFlavor;
  readonly sizeUnit: SizeUnit;
  readonly sizeLimit: number;
  /**
   * The destination receives the alerts as data (the generic webhook's `notifications`):
   * every alert is delivered, in as many parts as the size limit needs, never trimmed to
   * "+N more" by `max_split` or the rate budget.
   */
  readonly sendsAlertData?: boolean;
  measure(message: RenderedMessage, context: SendContext): number;
  request(message: RenderedMessage, context: SendContext): unknown;
  send(message: RenderedMessage, context: SendContext): Promise<DeliveryOutcome>;
}

/** Sustained rate and burst of a destination's token bucket. */
export interface RateLimit {
  readonly perMinute: number;
  readonly burst: number;
}
