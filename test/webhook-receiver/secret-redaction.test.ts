import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { IncomingMessage, Server } from "node:http";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../cli/main.js";
import { makeTempDir } from "../support/temp-dir.js";
import type { TempDir } from "../support/temp-dir.js";
import { waitFor } from "../support/wait-for.js";
import { startHarness } from "./receiver-harness.js";
import type { Harness } from "./receiver-harness.js";
import { webhookPayload } from "./sample-notifications.js";

/**
 * Secrets planted in every position a receiver config holds one — a URL's userinfo, a
 * query-string token, a token in a URL path, header values from env and files, a signing
 * secret, an evidence source's userinfo, the receiver's own token — and echoed back by
 * every platform's error answer, as real gateways do. None of them may show up in the
 * log, the admin API, the CLI's output or the database file.
 */
const PLANTED = {
  userinfoPassword: "pw-userinfo-7781",
  queryToken: "query-token-5512",
  apiKeyFromFile: "file-api-key-6620",
  inhouseQueryToken: "inhouse-query-4471",
  headerKeyFromEnv: "header-genie-key-9931",
  slackPathToken: "slackpathtoken0123456789",
  dingtalkToken: "dingtalk-token-3318",
  dingtalkSecret: "SECdingtalk-sign-secret-77",
  prometheusPassword: "prom-pass-3345",
  receiverToken: "receiver-token-1029384756",
} as const;

/** Every form a planted secret could leak in. */
function leakForms(): string[] {
  const forms = Object.values(PLANTED).flatMap((s) => [s, encodeURIComponent(s)]);
  forms.push(Buffer.from(`svc-user:${PLANTED.userinfoPassword}`).toString("base64"));
  return [...new Set(forms)];
}

function leaksIn(text: string): string[] {
  return leakForms().filter((form) => text.includes(form));
}

/** A platform that refuses everything and echoes what it was sent: URL, headers, userinfo. */
async function startEchoingPlatform(): Promise<{
  base: string;
  hits: string[];
  close(): Promise<void>;
}> {
  const hits: string[] = [];
  let gatewayCalls = 0;
  const echo = (req: IncomingMessage) => ({
    // The credential alone, without its scheme (as Opsgenie's "invalid GenieKey …" does).
    credential: req.headers.authorization?.replace(/^\S+\s+/, "") ?? null,
    url: req.url,
    authorization: req.headers.authorization ?? null,
    apiKey: req.headers["x-api-key"] ?? null,
    user: req.headers.authorization?.startsWith("Basic ")
      ? Buffer.from(req.headers.authorization.slice(6), "base64").toString("utf8")
      : null,
  });
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const path = req.url ?? "";
      hits.push(path);
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (path.startsWith("/gateway")) {
        // First unavailable (retried, its error stored), then refused for good.
        gatewayCalls++;
        if (gatewayCalls === 1) send(503, { error: "upstream down", request: echo(req) });
        else send(401, { error: "invalid credentials", request: echo(req) });
      } else if (path.startsWith("/inhouse"))
        send(400, { error: `bad request to ${path}`, headers: echo(req) });
      else if (path.startsWith("/services/"))
        send(404, { error: "no_service", detail: `no webhook at ${path}` });
      else if (path.startsWith("/robot/send"))
        send(200, { errcode: 310000, errmsg: `sign not match, url: ${path}` });
      else send(404, { error: "not found" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("no address");
  return {
    base: `127.0.0.1:${address.port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let dir: TempDir;
let platform: Awaited<ReturnType<typeof startEchoingPlatform>>;
let harness: Harness | undefined;
beforeEach(async () => {
  dir = makeTempDir("receiver-secrets");
  platform = await startEchoingPlatform();
});
afterEach(async () => {
  await harness?.receiver.stop();
  harness = undefined;
  await platform.close();
  dir.remove();
});

describe("secrets in every position, echoed back by every platform", () => {
  it("never reach the log, the admin API, the CLI or the database", async () => {
    const file = (name: string, value: string): string => {
      const path = join(dir.path, name);
      writeFileSync(path, `${value}\n`);
      return path;
    };
    const env = {
      GATEWAY_URL: `http://svc-user:${PLANTED.userinfoPassword}@${platform.base}/gateway?token=${PLANTED.queryToken}&team=ml`,
      // A scheme the redaction has no list entry for (Opsgenie's).
      INHOUSE_AUTH: `GenieKey ${PLANTED.headerKeyFromEnv}`,
      SLACK_URL: `http://${platform.base}/services/T000/B000/${PLANTED.slackPathToken}`,
      DINGTALK_URL: `http://${platform.base}/robot/send?access_token=${PLANTED.dingtalkToken}`,
    };
    const config = `web:
  auth:
    bearer_tokens: [{ file: ${file("receiver-token", PLANTED.receiverToken)} }]
storage:
  path: ${join(dir.path, "receiver.db")}
delivery:
  timeout: 2s
  initial_backoff: 20ms
  max_backoff: 50ms
  max_attempts: 3
enrichment:
  timeout: 100ms
  follow_up_for: 1s
  query_timeout: 200ms
  prometheus: { url: "http://prom-user:${PLANTED.prometheusPassword}@127.0.0.1:9" }
destinations:
  - name: gateway
    type: webhook
    url: { env: GATEWAY_URL }
    headers: { X-Api-Key: { file: ${file("api-key", PLANTED.apiKeyFromFile)} } }
  - name: inhouse
    type: webhook
    url: { file: ${file("inhouse-url", `http://${platform.base}/inhouse?access_token=${PLANTED.inhouseQueryToken}`)} }
    headers: { Authorization: { env: INHOUSE_AUTH } }
  - { name: slack, type: slack, url: { env: SLACK_URL } }
  - name: dingtalk
    type: dingtalk
    url: { env: DINGTALK_URL }
    secret: { file: ${file("dingtalk-secret", PLANTED.dingtalkSecret)} }
default_route:
  destinations: [gateway, inhouse, slack, dingtalk]
`;
    harness = await startHarness(dir.path, config, { env });
    const h = harness;
    const posted = await fetch(`${h.receiver.url}/api/v1/alerts`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${PLANTED.receiverToken}`,
      },
      body: JSON.stringify(webhookPayload({ alerts: [{ name: "GatewayDown" }] })),
    });
    expect(posted.status).toBe(200);
    await waitFor(
      "every destination's delivery to be dead-lettered",
      () => {
        const dead = new Set(h.receiver.outbox.deadLetters().map((d) => d.destination));
        return ["gateway", "inhouse", "slack", "dingtalk"].every((d) => dead.has(d))
          ? true
          : undefined;
      },
      { timeoutMs: 30_000 },
    );
    // The platforms did echo the secrets: the test plants what it means to.
    expect(platform.hits.join("\n")).toContain(PLANTED.queryToken);
    expect(platform.hits.join("\n")).toContain(PLANTED.slackPathToken);

    const api = await (
      await fetch(`${h.receiver.url}/api/v1/dead-letters`, {
        headers: { authorization: `Bearer ${PLANTED.receiverToken}` },
      })
    ).text();
    const outputs: Record<string, string> = { api };
    const dead = h.receiver.outbox.deadLetters();
    // What each platform echoed is still there to read, credentials aside.
    const errorOf = (name: string) => dead.find((d) => d.destination === name)?.lastError ?? "";
    expect(errorOf("gateway")).toMatch(/HTTP 401: .*invalid credentials.*<redacted>/);
    expect(errorOf("inhouse")).toMatch(/HTTP 400: .*\/inhouse\?access_token=<redacted>/);
    expect(errorOf("slack")).toMatch(
      /HTTP 404: .*no webhook at \/services\/T000\/B000\/<redacted>/,
    );
    expect(errorOf("dingtalk")).toMatch(
      /DingTalk errcode 310000: sign not match.*access_token=<redacted>/,
    );
    await h.receiver.stop();
    harness = undefined;
    outputs["log"] = h.logs.join("");
    expect(outputs["log"]).toMatch(/will retry/);

    const cli = async (args: string[], cliEnv: Record<string, string>) => {
      let out = "";
      const code = await runCli(args, {
        stdout: (t) => (out += t),
        stderr: (t) => (out += t),
        cwd: dir.path,
        env: cliEnv,
      });
      return { code, out };
    };
    // An operator's shell has the secrets, or (more often) has none of them.
    const withSecrets = await cli(["receiver", "dead-letters", "--config.file", h.configPath], env);
    expect(withSecrets.code).toBe(0);
    expect(withSecrets.out).toMatch(/4 dead letters|[5-9] dead letters/);
    outputs["cli dead-letters"] = withSecrets.out;
    const withoutSecrets = await cli(
      ["receiver", "dead-letters", "--config.file", h.configPath],
      {},
    );
    expect(withoutSecrets.code).toBe(0);
    outputs["cli dead-letters, no secrets set"] = withoutSecrets.out;
    const payload = join(dir.path, "payload.json");
    writeFileSync(payload, JSON.stringify(webhookPayload({ alerts: [{ name: "GatewayDown" }] })));
    const preview = await cli(["receiver", "preview", payload, "--config.file", h.configPath], env);
    expect(preview.code).toBe(0);
    outputs["cli preview"] = preview.out;

    // The database and its journal, byte for byte.
    for (const name of readdirSync(dir.path).filter((n) => n.startsWith("receiver.db")))
      outputs[name] = readFileSync(join(dir.path, name)).toString("latin1");
    expect(Object.keys(outputs)).toContain("receiver.db");

    for (const [where, text] of Object.entries(outputs))
      expect(leaksIn(text), `secrets in ${where}`).toEqual([]);
  }, 60_000);
});
