import { classifyHttpStatus, parseJsonObject } from "./classify-http.js";
import { DELIVERED, permanent, resize, retry } from "./delivery-outcome.js";
import type { DeliveryOutcome } from "./delivery-outcome.js";
import type { Destination } from "./destination.js";
import type { HttpResponse } from "./http-client.js";
import { httpDestination, platformBasics } from "./http-destination.js";
import type { PlatformOptions } from "./http-destination.js";

export type WeComOptions = PlatformOptions;

/**
 * WeCom (企业微信) group robot, markdown message
 * (https://developer.work.weixin.qq.com/document/path/91770): `content` at most 4,096 bytes
 * of UTF-8. The key in the URL is the only credential; there is no signing.
 */
export function weComDestination(options: WeComOptions): Destination {
  return httpDestination({
    ...platformBasics("wecom", options),
    target: () => ({ url: options.url }),
    body: (message) => ({
      msgtype: "markdown",
      markdown: { content: content(message.title, message.body) },
    }),
    classify: classifyWeCom,
  });
}

function content(title: string, body: string): string {
  return `**${title}**\n${body}`;
}

/**
 * WeCom's global error codes (https://developer.work.weixin.qq.com/document/path/90313):
 * 45009 API frequency limit, 93000 invalid webhook URL, 40058 invalid parameter (a content
 * over 4,096 bytes is reported as "exceed max length"), -1 system busy.
 */
export function classifyWeCom(response: HttpResponse, now: number): DeliveryOutcome {
  if (response.status < 200 || response.status >= 300) return classifyHttpStatus(response, now);
  const body = parseJsonObject(response.body);
  const code = body?.["errcode"];
  const message = typeof body?.["errmsg"] === "string" ? body["errmsg"] : "";
  if (code === 0) return DELIVERED;
  const detail = `WeCom errcode ${JSON.stringify(code)}: ${message}`;
  if (code === 45009) return retry(detail, 60_000, true);
  if (code === -1) return retry(detail);
  if (code === 40058 && /exceed|length|too long/i.test(message)) return resize(detail);
  if (code === undefined)
    return retry(`WeCom answered without errcode: ${response.body.slice(0, 100)}`);
  return permanent(detail);
}
