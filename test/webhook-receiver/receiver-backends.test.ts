import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempDir } from "../support/temp-dir.js";
import type { TempDir } from "../support/temp-dir.js";
import { waitFor } from "../support/wait-for.js";
import { startGenericWebhookStandIn } from "./platforms/generic-webhook.js";
import type { StandIn } from "./platforms/stand-in-server.js";
import { startHarness, TOKEN } from "./receiver-harness.js";
import type { Harness } from "./receiver-harness.js";
import { webhookPayload } from "./sample-notifications.js";
import { SECRETS } from "./stand-ins.js";
import { storeBackends } from "./store-backends.js";

/** The receiver's accept → route → deliver path, the same on both stores. */
describe.each(storeBackends())("receiver on $name", (backend) => {
  backend.setup();
  let dir: TempDir;
  let standIn: StandIn & { url: string };
  let harness: Harness | undefined;
  beforeEach(async () => {
    dir = makeTempDir("receiver-backend");
    standIn = await startGenericWebhookStandIn(SECRETS.webhookToken);
  });
  afterEach(async () => {
    await harness?.receiver.stop();
    harness = undefined;
    await standIn.close();
    dir.remove();
  });

  const start = async (): Promise<Harness> =>
    startHarness(
      dir.path,
      `web:
  auth:
    bearer_tokens: [{ env: RECEIVER_TOKEN }]
${await backend.storageYaml(dir.path)}delivery:
  timeout: 400ms
  initial_backoff: 50ms
  max_backoff: 100ms
  max_attempts: 3
  max_digest: 1
destinations:
  - name: inhouse
    type: webhook
    url: { env: WEBHOOK_URL }
    headers: { Authorization: { env: WEBHOOK_AUTH } }
    rate_limit: { per_minute: 6000, burst: 100 }
default_route:
  destinations: [inhouse]
`,
      {
        env: { WEBHOOK_URL: standIn.url, WEBHOOK_AUTH: `Bearer ${SECRETS.webhookToken}` },
      },
    );

  it.skipIf(!backend.available)(
    "delivers each notification once through failures, drops duplicates, dead-letters and replays",
    async () => {
      harness = await start();
      const h = harness;
      standIn.failNext("server-error", 2);
      const first = webhookPayload({ alerts: [{ name: "FirstAlert" }] });
      expect((await h.post(first)).status).toBe(200);
      // Alertmanager's retry and an HA peer's copy: the same notification, not stored again.
      const again = await (await h.post(first)).json();
      expect(again).toMatchObject({ data: { duplicate: true } });
      await waitFor("the first alert delivered", () =>
        standIn.accepted.some((m) => m.text.includes("FirstAlert")) ? true : undefined,
      );
      // The next one fails more often than max_attempts allows: a dead letter.
      standIn.failNext("server-error", 3);
      expect((await h.post(webhookPayload({ alerts: [{ name: "SecondAlert" }] }))).status).toBe(
        200,
      );
      const dead = await waitFor("a dead letter", async () => {
        const letters = await h.receiver.store.deadLetters();
        return letters.length === 1 ? letters : undefined;
      });
      expect(dead[0]?.lastError).toContain("gave up after 3 attempts");
      const replay = await fetch(`${h.receiver.url}/api/v1/dead-letters/replay`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ ids: [dead[0]?.id] }),
      });
      expect(await replay.json()).toEqual({ status: "success", data: { replayed: 1 } });
      await waitFor("the replayed alert delivered", () =>
        standIn.accepted.some((m) => m.text.includes("SecondAlert")) ? true : undefined,
      );
      const delivered = await waitFor("both recorded as delivered", async () => {
        const rows = await h.receiver.store.delivered();
        return rows.length === 2 ? rows : undefined;
      });
      expect(delivered.map((d) => d.destination)).toEqual(["inhouse", "inhouse"]);
      for (const name of ["FirstAlert", "SecondAlert"])
        expect(
          standIn.accepted.filter((m) => m.text.includes(name)),
          name,
        ).toHaveLength(1);
      const metrics = await (await fetch(`${h.receiver.url}/metrics`)).text();
      expect(metrics).toContain('aiwatch_receiver_notifications_total{result="accepted"} 2');
      expect(metrics).toContain('aiwatch_receiver_notifications_total{result="duplicate"} 1');
      expect(metrics).toContain(
        'aiwatch_receiver_outbox_pending_messages{destination="inhouse"} 0',
      );
      expect(metrics).toContain('aiwatch_receiver_dead_letters{destination="inhouse"} 0');
      expect((await fetch(`${h.receiver.url}/-/ready`)).status).toBe(200);
    },
  );

  it.skipIf(!backend.available)(
    "routes after a restart what it accepted before it stopped",
    async () => {
      harness = await start();
      standIn.hang(true);
      for (const name of ["BeforeStop1", "BeforeStop2"])
        expect((await harness.post(webhookPayload({ alerts: [{ name }] }))).status).toBe(200);
      await harness.receiver.stop();
      const yaml = harness.configPath;
      harness = undefined;
      standIn.hang(false);
      // Same config file, so the same store.
      const { readFileSync } = await import("node:fs");
      harness = await startHarness(dir.path, readFileSync(yaml, "utf8"), {
        env: { WEBHOOK_URL: standIn.url, WEBHOOK_AUTH: `Bearer ${SECRETS.webhookToken}` },
      });
      await waitFor(
        "both delivered",
        () =>
          ["BeforeStop1", "BeforeStop2"].every((n) =>
            standIn.accepted.some((m) => m.text.includes(n)),
          )
            ? true
            : undefined,
        { timeoutMs: 30_000 },
      );
      for (const name of ["BeforeStop1", "BeforeStop2"])
        expect(
          standIn.accepted.filter((m) => m.text.includes(name)),
          name,
        ).toHaveLength(1);
    },
  );
});
