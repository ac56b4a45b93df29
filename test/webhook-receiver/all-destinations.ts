import { PLATFORM_LIMITS } from "../../webhook-receiver/destinations/platform-limits.js";
import type {
  Destination,
  DestinationType,
} from "../../webhook-receiver/destinations/destination.js";
import { consoleDestination } from "../../webhook-receiver/destinations/console.js";
import { dingTalkDestination } from "../../webhook-receiver/destinations/dingtalk.js";
import { discordDestination } from "../../webhook-receiver/destinations/discord.js";
import { emailDestination } from "../../webhook-receiver/destinations/email.js";
import { feishuDestination } from "../../webhook-receiver/destinations/feishu.js";
import { genericWebhookDestination } from "../../webhook-receiver/destinations/generic-webhook.js";
import { slackDestination } from "../../webhook-receiver/destinations/slack.js";
import { teamsDestination } from "../../webhook-receiver/destinations/teams.js";
import { weComDestination } from "../../webhook-receiver/destinations/wecom.js";
import type { HttpClient } from "../../webhook-receiver/destinations/http-client.js";

const neverSends: HttpClient = () => Promise.reject(new Error("this test never sends"));

/** One destination of each type with fixed fake endpoints, for rendering tests. */
export function destinationsOfEveryType(
  http: HttpClient = neverSends,
): Record<DestinationType, Destination> {
  const common = { timeoutMs: 1000, http };
  return {
    slack: slackDestination({ name: "slack", url: "http://slack.invalid/hook", ...common }),
    dingtalk: dingTalkDestination({
      name: "dingtalk",
      url: "http://dingtalk.invalid/robot/send?access_token=t",
      secret: "SECabc",
      ...common,
    }),
    feishu: feishuDestination({
      name: "feishu",
      url: "http://feishu.invalid/hook",
      secret: "feishu-secret",
      ...common,
    }),
    wecom: weComDestination({ name: "wecom", url: "http://wecom.invalid/send?key=k", ...common }),
    teams: teamsDestination({ name: "teams", url: "http://teams.invalid/flow", ...common }),
    discord: discordDestination({
      name: "discord",
      url: "http://discord.invalid/api/webhooks/1/t",
      ...common,
    }),
    email: emailDestination({
      name: "email",
      host: "127.0.0.1",
      port: 1,
      secure: false,
      requireTls: false,
      from: "aiwatch@example.com",
      to: ["oncall@example.com"],
      timeoutMs: 1000,
    }),
    webhook: genericWebhookDestination({
      name: "webhook",
      url: "http://webhook.invalid/",
      headers: {},
      ...common,
    }),
    console: consoleDestination("console", () => undefined),
  };
}

export const TYPES = Object.keys(PLATFORM_LIMITS) as DestinationType[];
