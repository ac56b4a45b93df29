import { redact } from "../../core/log/redaction.js";
import type { DestinationConfig } from "../config/receiver-config.js";
import { consoleDestination } from "./console.js";
import type { Destination } from "./destination.js";
import { dingTalkDestination } from "./dingtalk.js";
import { discordDestination } from "./discord.js";
import { emailDestination, smtpRequiresTls } from "./email.js";
import { feishuDestination } from "./feishu.js";
import { genericWebhookDestination } from "./generic-webhook.js";
import type { HttpClient } from "./http-client.js";
import { slackDestination } from "./slack.js";
import { teamsDestination } from "./teams.js";
import { weComDestination } from "./wecom.js";

export interface DestinationDeps {
  readonly http: HttpClient;
  readonly stdout: (text: string) => void;
  /** Every secret of the configuration (the destination's own are always included). */
  readonly secretValues?: readonly string[];
}

/**
 * Builds the runtime destination for a resolved config entry. What a send attempt reports
 * is redacted here, before anything stores or logs it: a platform's error text can echo
 * the token of the URL it was posted to, or a header's credential.
 */
export function makeDestination(config: DestinationConfig, deps: DestinationDeps): Destination {
  const destination = buildDestination(config, deps);
  const secrets = [...Object.values(config.secrets), ...(deps.secretValues ?? [])];
  return {
    ...destination,
    send: async (message, context) => {
      const outcome = await destination.send(message, context);
      return outcome.kind === "delivered"
        ? outcome
        : { ...outcome, reason: redact(outcome.reason, secrets) };
    },
  };
}

function buildDestination(config: DestinationConfig, deps: DestinationDeps): Destination {
  const url = config.secrets["url"] ?? "";
  const common = {
    name: config.name,
    url,
    timeoutMs: config.timeoutMs,
    http: deps.http,
    ...(config.sizeLimit !== undefined ? { sizeLimit: config.sizeLimit } : {}),
  };
  const secret = config.secrets["secret"];
  const file = config.file;
  switch (file.type) {
    case "slack":
      return slackDestination(common);
    case "dingtalk":
      return dingTalkDestination({ ...common, ...(secret ? { secret } : {}) });
    case "feishu":
      return feishuDestination({ ...common, ...(secret ? { secret } : {}) });
    case "wecom":
      return weComDestination(common);
    case "teams":
      return teamsDestination(common);
    case "discord":
      return discordDestination(common);
    case "webhook": {
      const headers = Object.fromEntries(
        Object.entries(config.secrets)
          .filter(([key]) => key.startsWith("header:"))
          .map(([key, value]) => [key.slice("header:".length), value]),
      );
      return genericWebhookDestination({ ...common, headers });
    }
    case "email": {
      const password = config.secrets["password"];
      return emailDestination({
        name: config.name,
        host: file.smtp.host,
        port: file.smtp.port,
        secure: file.smtp.secure ?? false,
        requireTls: smtpRequiresTls(file.smtp),
        ...(file.smtp.username !== undefined ? { username: file.smtp.username } : {}),
        ...(password !== undefined ? { password } : {}),
        from: file.from,
        to: file.to,
        timeoutMs: config.timeoutMs,
        ...(config.sizeLimit !== undefined ? { sizeLimit: config.sizeLimit } : {}),
      });
    }
    case "console":
      return consoleDestination(config.name, deps.stdout);
  }
}
