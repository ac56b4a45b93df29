import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinTemplates } from "../../webhook-receiver/config/load-config.js";
import { dingTalkDestination } from "../../webhook-receiver/destinations/dingtalk.js";
import { discordDestination } from "../../webhook-receiver/destinations/discord.js";
import { emailDestination } from "../../webhook-receiver/destinations/email.js";
import { feishuDestination } from "../../webhook-receiver/destinations/feishu.js";
import { genericWebhookDestination } from "../../webhook-receiver/destinations/generic-webhook.js";
import { createHttpClient } from "../../webhook-receiver/destinations/http-client.js";
import { slackDestination } from "../../webhook-receiver/destinations/slack.js";
import { teamsDestination } from "../../webhook-receiver/destinations/teams.js";
import { weComDestination } from "../../webhook-receiver/destinations/wecom.js";
import type { Destination } from "../../webhook-receiver/destinations/destination.js";
import { renderMessage } from "../../webhook-receiver/render/render-message.js";
import { compileTemplate } from "../../webhook-receiver/render/template-engine.js";
import { expectGolden } from "../support/golden.js";
import { notification } from "./sample-notifications.js";
import { CHAT_TYPES, SECRETS, startAllStandIns } from "./stand-ins.js";
import type { ChatType } from "./stand-ins.js";

const HOSTILE =
  '<!channel> <!here> @all @所有人 @everyone @here <@U024BE7LH> <@all> <at id=all></at> <at user_id="all">所有人</at> **bold** _it_ `code` [click](javascript:alert(1)) <script>x</script> & #title';
const NOW = new Date("2026-11-22T04:00:00Z");

const hostileNotification = notification(
  [
    {
      status: "firing",
      labels: { alertname: "GpuMemoryHigh", severity: "critical", instance: HOSTILE, gpu: "0" },
      annotations: {
        summary: HOSTILE,
        description: `desc ${HOSTILE}`,
        runbook_url: "javascript:alert(1)",
      },
      startsAt: "2026-11-22T03:00:00.000Z",
      generatorURL: "http://prometheus.example:9090/graph?g0.expr=up) <!channel>",
      fingerprint: "0000000000000001",
    },
  ],
  { groupLabels: { alertname: "GpuMemoryHigh", team: "<!channel>" } },
);

let standIns: Awaited<ReturnType<typeof startAllStandIns>>;
let destinations: Record<ChatType, Destination>;

beforeAll(async () => {
  standIns = await startAllStandIns();
  const common = { timeoutMs: 5000, http: createHttpClient({ userAgent: "aiwatch-test" }) };
  destinations = {
    slack: slackDestination({ name: "slack", url: standIns.slack.url, ...common }),
    dingtalk: dingTalkDestination({
      name: "dingtalk",
      url: standIns.dingtalk.url,
      secret: SECRETS.dingtalkSecret,
      ...common,
    }),
    feishu: feishuDestination({
      name: "feishu",
      url: standIns.feishu.url,
      secret: SECRETS.feishuSecret,
      ...common,
    }),
    wecom: weComDestination({ name: "wecom", url: standIns.wecom.url, ...common }),
    teams: teamsDestination({ name: "teams", url: standIns.teams.url, ...common }),
    discord: discordDestination({ name: "discord", url: standIns.discord.url, ...common }),
    webhook: genericWebhookDestination({
      name: "webhook",
      url: standIns.webhook.url,
      headers: { authorization: `Bearer ${SECRETS.webhookToken}` },
      ...common,
    }),
  };
});
afterAll(async () => {
  await standIns.close();
});

describe("label values full of markup and mention syntax", () => {
  it("render escaped for each platform and notify no one", async () => {
    const rendered: Record<string, string> = {};
    for (const type of CHAT_TYPES) {
      const destination = destinations[type];
      const groups = [{ notification: hostileNotification, previouslyFiring: new Set<string>() }];
      const result = renderMessage({
        destination,
        templates: builtinTemplates(type),
        fallback: builtinTemplates(type),
        groups,
        now: NOW,
        idempotencyKey: "k",
      });
      const [part] = result.parts;
      if (!part) throw new Error("no part");
      rendered[type] = `${part.title}\n${part.body}`;
      const outcome = await destination.send(part, {
        idempotencyKey: "k",
        groups,
        now: Date.now(),
      });
      expect(outcome, type).toEqual({ kind: "delivered" });
      const accepted = standIns[type].accepted.at(-1);
      expect(accepted?.mentions, `${type} would notify people`).toBe(false);
      // The text may mention javascript:, but never as a link target.
      // (Slack has no [text](url) links; elsewhere an escaped "\]\(" is inert.)
      if (type !== "webhook")
        expect(part.body, type).not.toMatch(
          type === "slack" ? /<javascript:/ : /[^\\]\]\(javascript:|<javascript:/,
        );
    }
    // Platform by platform, the raw syntax that would notify or inject does not survive.
    expect(rendered["slack"]).not.toMatch(/<!channel>|<!here>|<@U/);
    expect(rendered["wecom"]).not.toMatch(/<@|@all/);
    expect(rendered["dingtalk"]).not.toMatch(/@all|@所有人|<at/);
    expect(rendered["feishu"]).not.toMatch(/<at|@all/);
    expect(rendered["discord"]).not.toMatch(/@everyone|@here|[^\\]<@U/);
    expect(rendered["teams"]).not.toMatch(/<at|<script/);
    expectGolden(
      new URL("golden/escaping.txt", import.meta.url).pathname,
      CHAT_TYPES.map((t) => `===== ${t}\n${rendered[t] ?? ""}`).join("\n"),
    );
  });
});

describe("an e-mail template printing {{title}}", () => {
  it("gets the title escaped for HTML; the subject shows it as text", () => {
    const email = emailDestination({
      name: "mail",
      host: "127.0.0.1",
      port: 25,
      secure: false,
      requireTls: false,
      from: "alerts@example.com",
      to: ["oncall@example.com"],
      timeoutMs: 1000,
    });
    const compile = (source: string) => {
      const result = compileTemplate(source);
      if (!result.ok) throw new Error(result.message);
      return result.template;
    };
    const hostileTitle = notification([...hostileNotification.alerts], {
      groupLabels: { alertname: "GpuMemoryHigh", team: `<img src=x onerror="alert('1')">` },
    });
    const groups = [{ notification: hostileTitle, previouslyFiring: new Set<string>() }];
    const result = renderMessage({
      destination: email,
      templates: { title: compile("{{title}}"), body: compile("<h1>{{title}}</h1>") },
      fallback: builtinTemplates("email"),
      groups,
      now: NOW,
      idempotencyKey: "k",
    });
    const [part] = result.parts;
    if (!part) throw new Error("no part");
    expect(result.usedFallback).toBe(false);
    expect(part.body).not.toContain("<img");
    expect(part.body).toBe(
      "<h1>[FIRING:1] GpuMemoryHigh &lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;</h1>\n",
    );
    const mail = email.request(part, { idempotencyKey: "k", groups, now: NOW.getTime() }) as {
      subject: string;
    };
    expect(mail.subject).toBe(`[FIRING:1] GpuMemoryHigh <img src=x onerror="alert('1')">`);
  });
});
