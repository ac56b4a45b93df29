import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freePort } from "../support/free-port.js";
import type { ManagedProcess } from "../support/managed-process.js";
import { makeTempDir } from "../support/temp-dir.js";
import type { TempDir } from "../support/temp-dir.js";
import { waitFor } from "../support/wait-for.js";
import { startReceiverProcess } from "./receiver-process.js";
import { startGenericWebhookStandIn } from "./platforms/generic-webhook.js";
import { configHead, TOKEN } from "./receiver-harness.js";
import { webhookPayload } from "./sample-notifications.js";
import { SECRETS } from "./stand-ins.js";

/**
 * The receiver as users run it: `node bin/aiwatch.js receiver` from the build in dist/
 * (npm test builds first). Killed with SIGKILL while it has a backlog and requests in
 * flight, then restarted on the same database.
 */
describe("SIGKILL with a backlog", () => {
  let dir: TempDir;
  let receiver: ManagedProcess | undefined;
  let standIn: Awaited<ReturnType<typeof startGenericWebhookStandIn>>;
  beforeEach(async () => {
    dir = makeTempDir("receiver-crash");
    standIn = await startGenericWebhookStandIn(SECRETS.webhookToken);
  });
  afterEach(async () => {
    await receiver?.stop();
    await standIn.close();
    dir.remove();
  });

  function start(port: number): Promise<ManagedProcess> {
    return startReceiverProcess(join(dir.path, "receiver.yaml"), port, {
      ...process.env,
      RECEIVER_TOKEN: TOKEN,
      WEBHOOK_URL: standIn.url,
      WEBHOOK_AUTH: `Bearer ${SECRETS.webhookToken}`,
    });
  }

  it("delivers everything it answered 200 for, exactly once, after a restart", async () => {
    // Ten messages a second, no digests: a backlog builds up behind the rate limit.
    writeFileSync(
      join(dir.path, "receiver.yaml"),
      `${configHead(dir.path).replace("synchronous: normal", "synchronous: full")}delivery:
  max_digest: 1
  timeout: 30s
destinations:
  - name: inhouse
    type: webhook
    url: { env: WEBHOOK_URL }
    headers: { Authorization: { env: WEBHOOK_AUTH } }
    rate_limit: { per_minute: 600, burst: 1 }
default_route:
  destinations: [inhouse]
`,
    );
    const port = await freePort();
    receiver = await start(port);
    const post = (name: string) =>
      fetch(`http://127.0.0.1:${port}/api/v1/alerts`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(webhookPayload({ alerts: [{ name }] })),
      });
    const names = Array.from({ length: 30 }, (_, i) => `Backlog${i}`);
    for (const name of names) expect((await post(name)).status).toBe(200);
    await waitFor("some deliveries before the crash", () =>
      standIn.accepted.length >= 3 ? true : undefined,
    );
    // The platform stops answering: the next request is in flight when the receiver dies.
    standIn.hang(true);
    await waitFor("a request in flight", () =>
      standIn.requests.length > standIn.accepted.length ? true : undefined,
    );
    // More notifications arrive while it dies: those answered 200 must not be lost.
    const late = Array.from({ length: 10 }, (_, i) => `Late${i}`);
    const lateResults = late.map((name) =>
      post(name).then(
        (r) => (r.status === 200 ? name : undefined),
        () => undefined,
      ),
    );
    receiver.child.kill("SIGKILL");
    await waitFor("the process to die", () =>
      receiver?.child.signalCode === "SIGKILL" ? true : undefined,
    );
    const acceptedLate = (await Promise.all(lateResults)).filter(
      (n): n is string => n !== undefined,
    );
    const deliveredBeforeCrash = standIn.accepted.length;
    expect(deliveredBeforeCrash).toBeLessThan(names.length);

    standIn.hang(false);
    receiver = await start(port);
    const expected = [...names, ...acceptedLate];
    const text = (n: string) =>
      standIn.accepted.filter((m) => m.text.includes(`${n}\n`) || m.text.includes(`${n} `)).length;
    await waitFor(
      "every accepted notification to be delivered",
      () => (expected.every((n) => text(n) >= 1) ? true : undefined),
      { timeoutMs: 30_000 },
    );
    for (const name of expected) expect(text(name), name).toBe(1);
    expect(standIn.accepted).toHaveLength(expected.length);
  });

  it("re-reads its config on SIGHUP and keeps the old one when the new one is invalid", async () => {
    const path = join(dir.path, "receiver.yaml");
    const base = `${configHead(dir.path)}destinations:\n  - { name: out, type: console }\ndefault_route:\n  destinations: [out]\n`;
    writeFileSync(path, base);
    const port = await freePort();
    receiver = await start(port);
    const metric = async (result: string) =>
      Number(
        new RegExp(`aiwatch_config_reloads_total\\{result="${result}"\\} (\\d+)`).exec(
          await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(),
        )?.[1],
      );
    writeFileSync(path, base.replace("type: console", "type: consol"));
    receiver.child.kill("SIGHUP");
    await waitFor("a failed reload", async () =>
      (await metric("failure")) === 1 ? true : undefined,
    );
    expect(receiver.output()).toMatch(/receiver\.yaml:\d+:\d+: error invalid-value/);
    writeFileSync(path, base);
    receiver.child.kill("SIGHUP");
    await waitFor("a successful reload", async () =>
      (await metric("success")) === 1 ? true : undefined,
    );
    expect(receiver.child.exitCode).toBeNull();
  });
});
