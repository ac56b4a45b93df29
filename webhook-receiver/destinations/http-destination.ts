import type { MarkupFlavor } from "../render/escape.js";
import { measureText } from "../render/measure.js";
import type { SizeUnit } from "../render/measure.js";
import { retry } from "./delivery-outcome.js";
import type { DeliveryOutcome } from "./delivery-outcome.js";
import type { Destination, DestinationType, RenderedMessage, SendContext } from "./destination.js";
import type { HttpClient, HttpRequest, HttpResponse } from "./http-client.js";
import { PLATFORM_LIMITS } from "./platform-limits.js";

export interface HttpDestinationSpec {
  readonly name: string;
  readonly type: DestinationType;
  readonly flavor: MarkupFlavor;
  readonly sizeUnit: SizeUnit;
  readonly sizeLimit: number;
  readonly timeoutMs: number;
  readonly http: HttpClient;
  readonly sendsAlertData?: boolean;
  /** The JSON body the platform expects. */
  body(message: RenderedMessage, context: SendContext): Record<string, unknown>;
  /** The URL to post to (signed platforms add their signature here), and extra headers. */
  target(context: SendContext): { readonly url: string; readonly headers?: Record<string, string> };
  classify(response: HttpResponse, now: number): DeliveryOutcome;
}

/** What every chat platform's destination is configured with. */
export interface PlatformOptions {
  readonly name: string;
  readonly url: string;
  readonly timeoutMs: number;
  /** Overrides the platform's documented limit (a self-hosted server may allow more). */
  readonly sizeLimit?: number;
  readonly http: HttpClient;
}

/** The parts of an HTTP destination that come from its options and its platform's limits. */
export function platformBasics(
  type: DestinationType,
  options: PlatformOptions,
): Pick<
  HttpDestinationSpec,
  "name" | "type" | "flavor" | "sizeUnit" | "sizeLimit" | "timeoutMs" | "http"
> {
  const limits = PLATFORM_LIMITS[type];
  return {
    name: options.name,
    type,
    flavor: limits.flavor,
    sizeUnit: limits.sizeUnit,
    sizeLimit: options.sizeLimit ?? limits.sizeLimit,
    timeoutMs: options.timeoutMs,
    http: options.http,
  };
}

/**
 * A destination that posts JSON. Network errors and timeouts are transient: the platform
 * may be down or slow, and the message stays in the outbox. Error texts never contain the
 * URL (it holds the token); the logger redacts secrets as a second line of defence.
 */
export function httpDestination(spec: HttpDestinationSpec): Destination {
  const build = (message: RenderedMessage, context: SendContext): HttpRequest => {
    const { url, headers } = spec.target(context);
    return {
      url,
      headers: { "content-type": "application/json; charset=utf-8", ...headers },
      body: JSON.stringify(spec.body(message, context)),
      timeoutMs: spec.timeoutMs,
    };
  };
  return {
    name: spec.name,
    type: spec.type,
    flavor: spec.flavor,
    sizeUnit: spec.sizeUnit,
    sizeLimit: spec.sizeLimit,
    ...(spec.sendsAlertData ? { sendsAlertData: true } : {}),
    // The whole request body, as sent: a limit on the text alone lets the rest (titles,
    // card markup, the alerts as data) push the request past what the platform accepts.
    measure: (message, context) =>
      measureText(JSON.stringify(spec.body(message, context)), spec.sizeUnit),
    request: (message, context) => spec.body(message, context),
    send: async (message, context) => {
      const request = build(message, context);
      let response: HttpResponse;
      try {
        response = await spec.http(request);
      } catch (error) {
        return retry(describeNetworkError(error, request.timeoutMs));
      }
      return spec.classify(response, context.now);
    },
  };
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; code?: string; cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError" || e.name === "AbortError")
    return `no answer within ${timeoutMs} ms`;
  const code = e.cause?.code ?? e.code;
  return `network error${code ? ` ${code}` : ""}`;
}

/** Undo the entity escaping of `<`, `>` and `&` for fields a platform shows as plain text. */
export function unescapeEntities(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/**
 * The title as plain text, for fields platforms do not render as markup (DingTalk's
 * notification title, card headers): escapes would show as backslashes there. Mention
 * syntax stays harmless in those fields, which never notify.
 */
export function plainTitle(text: string): string {
  return unescapeEntities(text.replace(/\\([\\`*_{}[\]()#+\-.!|~>])/g, "$1"));
}

/** Whether a rendered title is the built-in one of a resolved message (for card colours). */
export function isResolvedTitle(title: string): boolean {
  return /^\\?\[RESOLVED/.test(title);
}
