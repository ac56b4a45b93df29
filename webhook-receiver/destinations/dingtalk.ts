import { createHmac } from "node:crypto";
import { classifyHttpStatus, parseJsonObject } from "./classify-http.js";
import { DELIVERED, permanent, resize, retry } from "./delivery-outcome.js";
import type { DeliveryOutcome } from "./delivery-outcome.js";
import type { Destination } from "./destination.js";
import type { HttpResponse } from "./http-client.js";
import { httpDestination, plainTitle, platformBasics } from "./http-destination.js";
import type { PlatformOptions } from "./http-destination.js";

export interface DingTalkOptions extends PlatformOptions {
  /** The robot's signing secret (`SEC...`), when "加签" signing is enabled. */
  readonly secret?: string;
}

/**
 * DingTalk custom robot, markdown message
 * (https://open.dingtalk.com/document/robots/custom-robot-access). With signing on, the
 * URL carries `timestamp` (ms) and `sign` = urlencode(base64(HMAC-SHA256(key = secret,
 * data = timestamp + "\n" + secret))); the timestamp must be within an hour of DingTalk's
 * clock. DingTalk answers HTTP 200 even on failure, with `errcode` in the body.
 */
export function dingTalkDestination(options: DingTalkOptions): Destination {
  return httpDestination({
    ...platformBasics("dingtalk", options),
    target: (context) => ({
      url: options.secret ? signDingTalkUrl(options.url, options.secret, context.now) : options.url,
    }),
    body: (message) => ({
      msgtype: "markdown",
      markdown: {
        title: plainTitle(message.title).slice(0, 64),
        text: markdownText(message.title, message.body),
      },
      at: { isAtAll: false },
    }),
    classify: classifyDingTalk,
  });
}

function markdownText(title: string, body: string): string {
  return `#### ${title}\n\n${body}`;
}

export function dingTalkSignature(secret: string, timestampMs: number): string {
  return createHmac("sha256", secret).update(`${timestampMs}\n${secret}`).digest("base64");
}

export function signDingTalkUrl(url: string, secret: string, now: number): string {
  const separator = url.includes("?") ? "&" : "?";
  return `${url}${separator}timestamp=${now}&sign=${encodeURIComponent(dingTalkSignature(secret, now))}`;
}

/**
 * In-band codes (DingTalk's error-code list and robot docs): 130101 "send too fast" (20
 * per minute exceeded; the robot is throttled for 10 minutes), 310000 signature, keyword
 * or IP check failed, 300001 unknown token, 460101 message too long, -1 system busy.
 */
export function classifyDingTalk(response: HttpResponse, now: number): DeliveryOutcome {
  if (response.status < 200 || response.status >= 300) return classifyHttpStatus(response, now);
  const body = parseJsonObject(response.body);
  const code = body?.["errcode"];
  const message = typeof body?.["errmsg"] === "string" ? body["errmsg"] : "";
  if (code === 0) return DELIVERED;
  const detail = `DingTalk errcode ${JSON.stringify(code)}: ${message}`;
  if (code === 130101 || code === 130102) return retry(detail, 60_000, true);
  if (code === -1) return retry(detail);
  if (code === 460101) return resize(detail);
  if (code === undefined)
    return retry(`DingTalk answered without errcode: ${response.body.slice(0, 100)}`);
  return permanent(detail);
}
