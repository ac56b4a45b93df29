import type { MarkupFlavor } from "../render/escape.js";
import type { SizeUnit } from "../render/measure.js";
import type { DestinationType, RateLimit } from "./destination.js";

export interface PlatformLimits {
  readonly flavor: MarkupFlavor;
  readonly sizeUnit: SizeUnit;
  /** Default size limit, in `sizeUnit`, of what the destination's `measure` counts. */
  readonly sizeLimit: number;
  /**
   * Token bucket preloaded with the platform's published limit. Where the platform counts
   * messages per sliding minute, burst + perMinute stays within it, so no minute can
   * exceed the limit whatever the traffic.
   */
  readonly rateLimit: RateLimit;
}

/**
 * Each platform's documented limits (sources in the comments). Configurable per
 * destination (`rate_limit`, `max_size`), since limits differ by plan and change.
 */
export const PLATFORM_LIMITS: Readonly<Record<DestinationType, PlatformLimits>> = {
  // Slack incoming webhooks: "1 per second" posting limit with short bursts
  // (https://api.slack.com/docs/rate-limits); section text max 3,000 characters, header
  // 150, 50 blocks per message (https://api.slack.com/reference/block-kit/blocks). We cap
  // the body at 12,000 characters, split into sections of at most 3,000.
  slack: {
    flavor: "slack",
    sizeUnit: "characters",
    sizeLimit: 12_000,
    rateLimit: { perMinute: 60, burst: 1 },
  },
  // DingTalk custom robot: at most 20 messages per minute per robot, then throttled for
  // 10 minutes (https://open.dingtalk.com/document/robots/custom-robot-access, "消息发送频率
  // 限制"); message content at most 20,000 bytes of UTF-8.
  dingtalk: {
    flavor: "markdown",
    sizeUnit: "utf8-bytes",
    sizeLimit: 20_000,
    rateLimit: { perMinute: 15, burst: 5 },
  },
  // Feishu/Lark custom bot: 100 requests per minute and 5 per second, request body at most
  // 20 KB (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot, "使用限制").
  feishu: {
    flavor: "markdown",
    sizeUnit: "utf8-bytes",
    sizeLimit: 20 * 1024,
    rateLimit: { perMinute: 60, burst: 4 },
  },
  // WeCom group robot: at most 20 messages per minute; markdown content at most 4,096
  // bytes of UTF-8 (https://developer.work.weixin.qq.com/document/path/91770).
  wecom: {
    flavor: "markdown",
    sizeUnit: "utf8-bytes",
    sizeLimit: 4_096,
    rateLimit: { perMinute: 15, burst: 5 },
  },
  // Teams Workflows webhook: message size at most 28 KB (https://learn.microsoft.com/
  // microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using, "Rate limiting
  // for connectors" and message size limits); throttled above a few requests per second.
  teams: {
    flavor: "teams",
    sizeUnit: "utf8-bytes",
    sizeLimit: 28 * 1024,
    rateLimit: { perMinute: 60, burst: 2 },
  },
  // Discord webhooks: embed description at most 4,096 characters, title 256, all embeds
  // 6,000 (https://discord.com/developers/docs/resources/message#embed-object-embed-limits);
  // 30 requests per minute per webhook, 429 with retry_after otherwise.
  discord: {
    flavor: "discord",
    sizeUnit: "characters",
    sizeLimit: 4_096,
    rateLimit: { perMinute: 25, burst: 5 },
  },
  email: {
    flavor: "html",
    sizeUnit: "characters",
    sizeLimit: 500_000,
    rateLimit: { perMinute: 60, burst: 5 },
  },
  webhook: {
    flavor: "plain",
    sizeUnit: "utf8-bytes",
    sizeLimit: 1024 * 1024,
    rateLimit: { perMinute: 600, burst: 50 },
  },
  console: {
    flavor: "plain",
    sizeUnit: "characters",
    sizeLimit: 1_000_000,
    rateLimit: { perMinute: 60_000, burst: 1_000 },
  },
};
