import { createHmac } from "node:crypto";
import { classifyHttpStatus, parseJsonObject } from "./classify-http.js";
import { DELIVERED, permanent, resize, retry } from "./delivery-outcome.js";
import type { DeliveryOutcome } from "./delivery-outcome.js";
import type { Destination, SendContext } from "./destination.js";
import type { HttpResponse } from "./http-client.js";
import {
  httpDestination,
  isResolvedTitle,
  plainTitle,
  platformBasics,
} from "./http-destination.js";
import type { PlatformOptions } from "./http-destination.js";

export interface FeishuOptions extends PlatformOptions {
  readonly secret?: string;
}

/**
 * Feishu/Lark custom bot with an interactive card
 * (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot). With signature
 * verification on, the body carries `timestamp` (seconds) and `sign` = base64(HMAC-SHA256(
 * key = timestamp + "\n" + secret, data = "")), the key and data the other way round from
 * DingTalk. Feishu answers 200 with `code` 0 on success and an error code otherwise.
 */
export function feishuDestination(options: FeishuOptions): Destination {
  const body = (message: { title: string; body: string }, context: SendContext) => {
    const seconds = Math.floor(context.now / 1000);
    return {
      ...(options.secret
        ? { timestamp: String(seconds), sign: feishuSignature(options.secret, seconds) }
        : {}),
      msg_type: "interactive",
      card: {
        config: { wide_screen_mode: true },
        header: {
          title: { tag: "plain_text", content: plainTitle(message.title) },
          template: isResolvedTitle(message.title) ? "green" : "red",
        },
        elements: [{ tag: "markdown", content: message.body }],
      },
    };
  };
  return httpDestination({
    ...platformBasics("feishu", options),
    target: () => ({ url: options.url }),
    body,
    classify: classifyFeishu,
  });
}

export function feishuSignature(secret: string, timestampSeconds: number): string {
  return createHmac("sha256", `${timestampSeconds}\n${secret}`).update("").digest("base64");
}

/**
 * Feishu's codes: 0 success (older bots answer `StatusCode: 0`), 11232 frequency limited,
 * 19021 signature mismatch or timestamp more than an hour off, 19022 IP not allowed, 19024
 * keyword missing, 9499 bad request. Feishu does not document a distinct code for an
 * oversized body; a 9499 whose message names the size is treated as "too large".
 */
export function classifyFeishu(response: HttpResponse, now: number): DeliveryOutcome {
  if (response.status === 429 || response.status >= 500) return classifyHttpStatus(response, now);
  const body = parseJsonObject(response.body);
  const code = body?.["code"] ?? body?.["StatusCode"];
  const rawMessage = body?.["msg"] ?? body?.["StatusMessage"];
  const message = typeof rawMessage === "string" ? rawMessage : "";
  if (code === 0 && response.status < 300) return DELIVERED;
  if (code === undefined) return classifyHttpStatus(response, now);
  const detail = `Feishu code ${JSON.stringify(code)}: ${message}`;
  if (code === 11232) return retry(detail, 10_000, true);
  if (code === 9499 && /too large|size|exceed/i.test(message)) return resize(detail);
  return permanent(detail);
}
