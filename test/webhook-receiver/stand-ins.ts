import type { DestinationType } from "../../webhook-receiver/destinations/destination.js";
import { startDingTalkStandIn } from "./platforms/dingtalk.js";
import { startDiscordStandIn } from "./platforms/discord.js";
import { startFeishuStandIn } from "./platforms/feishu.js";
import { startGenericWebhookStandIn } from "./platforms/generic-webhook.js";
import { startSlackStandIn } from "./platforms/slack.js";
import type { StandIn } from "./platforms/stand-in-server.js";
import { startTeamsStandIn } from "./platforms/teams.js";
import { startWeComStandIn } from "./platforms/wecom.js";

export const SECRETS = {
  dingtalkToken: "dt-token-123456",
  dingtalkSecret: "SECdingtalk-signing-secret",
  feishuHook: "feishu-hook-abcdef",
  feishuSecret: "feishu-signing-secret",
  wecomKey: "wecom-key-7890",
  webhookToken: "in-house-token-4242",
} as const;

export type ChatType = Exclude<DestinationType, "email" | "console">;
export type StandIns = Record<ChatType, StandIn & { url: string }>;

/** One stand-in per chat platform (and the generic webhook), all on 127.0.0.1. */
export async function startAllStandIns(): Promise<StandIns & { close(): Promise<void> }> {
  const standIns: StandIns = {
    slack: await startSlackStandIn(),
    dingtalk: await startDingTalkStandIn({
      token: SECRETS.dingtalkToken,
      secret: SECRETS.dingtalkSecret,
    }),
    feishu: await startFeishuStandIn({ hook: SECRETS.feishuHook, secret: SECRETS.feishuSecret }),
    wecom: await startWeComStandIn({ key: SECRETS.wecomKey }),
    teams: await startTeamsStandIn(),
    discord: await startDiscordStandIn(),
    webhook: await startGenericWebhookStandIn(SECRETS.webhookToken),
  };
  const all = Object.values(standIns);
  return Object.assign(standIns, {
    close: async () => {
      await Promise.all(all.map((s) => s.close()));
    },
  });
}

/** Environment variables holding each stand-in's URL and secrets, as a deployment would. */
export function standInEnv(s: StandIns): Record<string, string> {
  return {
    SLACK_URL: s.slack.url,
    DINGTALK_URL: s.dingtalk.url,
    DINGTALK_SECRET: SECRETS.dingtalkSecret,
    FEISHU_URL: s.feishu.url,
    FEISHU_SECRET: SECRETS.feishuSecret,
    WECOM_URL: s.wecom.url,
    TEAMS_URL: s.teams.url,
    DISCORD_URL: s.discord.url,
    WEBHOOK_URL: s.webhook.url,
    WEBHOOK_AUTH: `Bearer ${SECRETS.webhookToken}`,
  };
}

/** receiver.yaml `destinations:` entries for every stand-in, named after their type. */
export function chatDestinationsYaml(extra = ""): string {
  return `destinations:
  - { name: slack, type: slack, url: { env: SLACK_URL }${extra} }
  - { name: dingtalk, type: dingtalk, url: { env: DINGTALK_URL }, secret: { env: DINGTALK_SECRET }${extra} }
  - { name: feishu, type: feishu, url: { env: FEISHU_URL }, secret: { env: FEISHU_SECRET }${extra} }
  - { name: wecom, type: wecom, url: { env: WECOM_URL }${extra} }
  - { name: teams, type: teams, url: { env: TEAMS_URL }${extra} }
  - { name: discord, type: discord, url: { env: DISCORD_URL }${extra} }
  - { name: webhook, type: webhook, url: { env: WEBHOOK_URL }, headers: { Authorization: { env: WEBHOOK_AUTH } }${extra} }
`;
}

export const CHAT_TYPES: readonly ChatType[] = [
  "slack",
  "dingtalk",
  "feishu",
  "wecom",
  "teams",
  "discord",
  "webhook",
];
