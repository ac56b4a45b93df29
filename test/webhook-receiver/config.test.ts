import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatDiagnostics } from "../../core/diagnostics/format.js";
import { loadReceiverConfig } from "../../webhook-receiver/config/load-config.js";
import { repoPath } from "../support/fixtures.js";
import { makeTempDir } from "../support/temp-dir.js";
import type { TempDir } from "../support/temp-dir.js";

let dir: TempDir;
beforeEach(() => {
  dir = makeTempDir("receiver-config");
});
afterEach(() => dir.remove());

const EXAMPLE_ENV = {
  AIWATCH_RECEIVER_TOKEN: "token-1234",
  SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T/B/X",
  DINGTALK_WEBHOOK_URL: "https://oapi.dingtalk.com/robot/send?access_token=t",
  DINGTALK_SECRET: "SECxyz",
  FEISHU_WEBHOOK_URL: "https://open.feishu.cn/open-apis/bot/v2/hook/h",
  FEISHU_SECRET: "fs",
  WECOM_WEBHOOK_URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
  TEAMS_WORKFLOW_URL: "https://prod.westus.logic.azure.com/workflows/x",
  DISCORD_WEBHOOK_URL: "https://discord.com/api/webhooks/1/t",
  SMTP_PASSWORD: "p",
  SMS_GATEWAY_URL: "https://sms.example.com/send",
  SMS_GATEWAY_AUTH: "Bearer s",
  OPS_API_TOKEN: "Bearer ops",
  TRAINER_API_TOKEN: "Bearer trainer",
};

describe("receiver.yaml", () => {
  it("loads the documented example with every destination type", async () => {
    const loaded = await loadReceiverConfig(repoPath("examples", "receiver.yaml"), {
      env: EXAMPLE_ENV,
      readFile: () => "basic-password",
    });
    if (!loaded.ok) throw new Error(formatDiagnostics(loaded.diagnostics));
    const config = loaded.config;
    expect(config.destinations.map((d) => d.type)).toEqual([
      "slack",
      "dingtalk",
      "feishu",
      "wecom",
      "teams",
      "discord",
      "email",
      "webhook",
      "console",
    ]);
    expect(config.routes).toHaveLength(3);
    expect(config.analysis?.spec?.monitors.size).toBeGreaterThan(10);
    expect(config.routes.flatMap((r) => r.actions.map((a) => a.name))).toEqual([
      "cordon-node",
      "pause-training",
    ]);
    expect(config.actions.mode).toBe("dry_run");
    expect(config.dedupWindowMs).toBe(600_000);
    expect(config.destinations.find((d) => d.name === "sms-gateway")?.rateLimit).toEqual({
      perMinute: 30,
      burst: 5,
    });
    expect(config.destinations.find((d) => d.name === "ml-dingtalk")?.rateLimit).toEqual({
      perMinute: 15,
      burst: 5,
    });
    expect(config.secretValues).toContain(EXAMPLE_ENV.SLACK_WEBHOOK_URL);
    expect(config.credentials.basicAuth).toEqual([
      { username: "alertmanager", password: "basic-password" },
    ]);
  });

  it("reports every problem at its line and column, without printing secret values", async () => {
    const path = join(dir.path, "receiver.yaml");
    writeFileSync(
      path,
      `web:
  auth:
    bearer_tokens: [{ env: MISSING_TOKEN }]
storage:
  path: r.db
dedup:
  window: 10 minutes
destinations:
  - { name: a, type: slack, url: { env: NOT_A_URL } }
  - { name: a, type: dingtalk, url: { env: GOOD_URL }, secrt: { env: X } }
  - { name: b, type: telegram, url: { env: GOOD_URL } }
routes:
  - matchers: ['severity=~"(crit"', 'nonsense']
    destinations: [a, missing]
    templates:
      slack: { body: "{{#each groups}}" }
default_route:
  destinations: [a]
`,
    );
    const loaded = await loadReceiverConfig(path, {
      env: { NOT_A_URL: "ftp://secret-host/path", GOOD_URL: "https://x" },
    });
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    const text = formatDiagnostics(loaded.diagnostics).replaceAll(dir.path, "<dir>");
    expect(text).toMatchInlineSnapshot(`
      "<dir>/receiver.yaml:7:11: error bad-duration: dedup.window: expected a Prometheus duration such as 30s, 5m, 1h30m or 1d
      <dir>/receiver.yaml:10:56: error unknown-key: unknown key "secrt" in destinations[1] (did you mean "secret"?)
      <dir>/receiver.yaml:11:22: error invalid-value: destinations[2].type: expected one of "slack", "dingtalk", "feishu", "wecom", "teams", "discord", "webhook", "email", "console", got "telegram"
      "
    `);
    expect(text).not.toContain("secret-host");
  });

  it("refuses a secret written inline without printing it back", async () => {
    const path = join(dir.path, "inline.yaml");
    writeFileSync(
      path,
      `web:
  auth:
    bearer_tokens: ["inline-token-998877"]
destinations:
  - { name: a, type: webhook, url: "https://svc:inline-pass-55@gw.example.com/h?token=inline-query-66" }
default_route:
  destinations: [a]
`,
    );
    const loaded = await loadReceiverConfig(path, { env: {} });
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    const text = formatDiagnostics(loaded.diagnostics).replaceAll(dir.path, "<dir>");
    expect(text).toMatchInlineSnapshot(`
      "<dir>/inline.yaml:1:1: error missing-key: missing required key "storage" in the document
      <dir>/inline.yaml:3:21: error wrong-type: web.auth.bearer_tokens[0]: expected a secret reference, { env: VARIABLE } or { file: /path/to/secret } (secrets are not written in the config itself), got a string
      <dir>/inline.yaml:5:36: error wrong-type: destinations[0].url: expected a secret reference, { env: VARIABLE } or { file: /path/to/secret } (secrets are not written in the config itself), got a string
      "
    `);
    for (const secret of ["inline-token-998877", "inline-pass-55", "inline-query-66"])
      expect(text).not.toContain(secret);
  });

  it("checks what the schema cannot: secrets, URLs, names, matchers, templates", async () => {
    const path = join(dir.path, "receiver.yaml");
    writeFileSync(
      path,
      `web:
  auth:
    bearer_tokens: [{ env: MISSING_TOKEN }]
storage:
  path: r.db
destinations:
  - { name: a, type: slack, url: { env: NOT_A_URL } }
  - { name: a, type: dingtalk, url: { env: GOOD_URL }, secret: { file: /nonexistent/secret } }
routes:
  - matchers: ['severity=~"(crit"', 'nonsense']
    destinations: [a, missing]
    templates:
      slack: { body: "{{#each groups}}" }
default_route:
  destinations: [a]
`,
    );
    const loaded = await loadReceiverConfig(path, {
      env: { NOT_A_URL: "ftp://secret-host/path", GOOD_URL: "https://x" },
    });
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    const text = formatDiagnostics(loaded.diagnostics).replaceAll(dir.path, "<dir>");
    expect(text).toMatchInlineSnapshot(`
      "<dir>/receiver.yaml:3:21: error secret-unresolved: environment variable MISSING_TOKEN is not set or empty
      <dir>/receiver.yaml:7:34: error invalid-url: a: the URL must start with http:// or https://
      <dir>/receiver.yaml:8:13: error duplicate-destination: destination "a" is defined twice
      <dir>/receiver.yaml:8:64: error secret-unresolved: cannot read secret file /nonexistent/secret: ENOENT
      <dir>/receiver.yaml:10:16: error invalid-matcher: "severity=~\\"(crit\\"": invalid regular expression: Invalid regular expression: /^(?:(crit)$/u: Unterminated group
      <dir>/receiver.yaml:10:37: error invalid-matcher: "nonsense" is not a matcher; expected name="value", name!="value", name=~"regex" or name!~"regex"
      <dir>/receiver.yaml:11:23: error unknown-destination: destination "missing" is not defined (defined: a)
      <dir>/receiver.yaml:13:22: error template-syntax: template does not compile: Parse error on line 1: {{#each groups}} Expecting 'COMMENT', 'CONTENT', 'OPEN_RAW_BLOCK', 'OPEN_BLOCK', 'OPEN_INVERSE', 'OPEN_INVERSE_CHAIN', 'INVERSE', 'OPEN_ENDBLOCK', 'OPEN', 'OPEN_UNESCAPED', 'OPEN_PARTIAL', 'OPEN_PARTIAL_BLOCK', got 'EOF'
      "
    `);
    expect(text).not.toContain("secret-host");
  });

  it("refuses a config without credentials: the receiver never accepts unauthenticated alerts", async () => {
    const path = join(dir.path, "receiver.yaml");
    writeFileSync(
      path,
      "storage: { path: r.db }\ndestinations: [{ name: o, type: console }]\ndefault_route: { destinations: [o] }\n",
    );
    const loaded = await loadReceiverConfig(path, { env: {} });
    expect(loaded.ok ? [] : loaded.diagnostics.map((d) => d.code)).toEqual(["auth-required"]);
  });

  it("prepares PostgreSQL statements unless told not to (PgBouncer before 1.21)", async () => {
    const load = async (postgres: string) => {
      const path = join(dir.path, "receiver.yaml");
      writeFileSync(
        path,
        `web: { auth: { bearer_tokens: [{ env: T }] } }
storage:
  postgres: { url: { env: U }${postgres} }
destinations: [{ name: o, type: console }]
default_route: { destinations: [o] }
`,
      );
      return loadReceiverConfig(path, { env: { T: "token-1234", U: "postgres://h/db" } });
    };
    const storageOf = async (postgres: string) => {
      const loaded = await load(postgres);
      if (!loaded.ok) throw new Error(formatDiagnostics(loaded.diagnostics));
      return loaded.config.storage;
    };
    expect(await storageOf("")).toMatchObject({ kind: "postgres", preparedStatements: true });
    expect(await storageOf(", prepared_statements: false")).toMatchObject({
      preparedStatements: false,
    });
    const wrong = await load(", prepared_statements: off");
    expect(
      wrong.ok ? "" : formatDiagnostics(wrong.diagnostics).replaceAll(dir.path, "<dir>"),
    ).toContain("<dir>/receiver.yaml:3:");
    expect(wrong.ok ? "" : formatDiagnostics(wrong.diagnostics)).toContain(
      "storage.postgres.prepared_statements",
    );
  });
});
