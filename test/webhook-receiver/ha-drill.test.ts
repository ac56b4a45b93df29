import { writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAlertmanager } from "../support/alertmanager-process.js";
import type { AlertmanagerInstance } from "../support/alertmanager-process.js";
import { requireBinaries } from "../support/binaries.js";
import { freePort } from "../support/free-port.js";
import type { ManagedProcess } from "../support/managed-process.js";
import { databaseName, requirePostgres, startTestPostgres } from "../support/postgres.js";
import type { PostgresInstance } from "../support/postgres.js";
import { makeTempDir } from "../support/temp-dir.js";
import type { TempDir } from "../support/temp-dir.js";
import { waitFor } from "../support/wait-for.js";
import { startReceiverProcess } from "./receiver-process.js";
import { startGenericWebhookStandIn } from "./platforms/generic-webhook.js";
import type { StandIn } from "./platforms/stand-in-server.js";
import { TOKEN } from "./receiver-harness.js";
import { startServiceProxy } from "./service-proxy.js";
import type { ServiceProxy } from "./service-proxy.js";
import { SECRETS } from "./stand-ins.js";

const binaries = requireBinaries("alertmanager");
const postgres = requirePostgres();
const ALERTS = 2_000;

/**
 * Issue 20's drill: three receiver replicas (`node bin/aiwatch.js receiver`, from dist/)
 * on one PostgreSQL behind a Service-like round-robin proxy, fed by an Alertmanager HA
 * pair (two instances that both send every group, as peers do before they gossip), 2,000
 * alerts in 2,000 groups. The chat endpoint fails at first; mid-backlog the replica that
 * drains it is killed with SIGKILL and another is restarted. Every notification must
 * arrive, none twice, except the messages in flight at the instant of the kill, which the
 * replica taking over sends again under the same idempotency key.
 */
describe.skipIf(!binaries.available || !postgres.available)(
  "three replicas on PostgreSQL through a kill -9 and a restart",
  () => {
    let dir: TempDir;
    let server: PostgresInstance;
    let db: pg.Client;
    let chat: StandIn & { url: string };
    let proxy: ServiceProxy;
    const peers: AlertmanagerInstance[] = [];
    const replicas: { port: number; process: ManagedProcess }[] = [];
    let env: NodeJS.ProcessEnv;

    const startReplica = (port: number): Promise<ManagedProcess> =>
      startReceiverProcess(join(dir.path, "receiver.yaml"), port, env);

    beforeAll(async () => {
      dir = makeTempDir("receiver-ha");
      server = await startTestPostgres();
      const url = await server.createDatabase(databaseName("drill"));
      db = new pg.Client({ connectionString: url });
      await db.connect();
      chat = await startGenericWebhookStandIn(SECRETS.webhookToken);
      env = {
        ...process.env,
        RECEIVER_TOKEN: TOKEN,
        POSTGRES_URL: url,
        CHAT_URL: chat.url,
        CHAT_AUTH: `Bearer ${SECRETS.webhookToken}`,
      };
      writeFileSync(
        join(dir.path, "receiver.yaml"),
        `web:
  auth:
    bearer_tokens: [{ env: RECEIVER_TOKEN }]
storage:
  postgres:
    url: { env: POSTGRES_URL }
delivery:
  timeout: 2s
  initial_backoff: 200ms
  max_backoff: 1s
  max_attempts: 100
destinations:
  - name: chat
    type: webhook
    url: { env: CHAT_URL }
    headers: { Authorization: { env: CHAT_AUTH } }
    rate_limit: { per_minute: 6000, burst: 50 }
default_route:
  destinations: [chat]
`,
      );
      const ports = await Promise.all([freePort(), freePort(), freePort()]);
      // One at a time: the first creates the schema.
      for (const port of ports) replicas.push({ port, process: await startReplica(port) });
      proxy = await startServiceProxy(ports);
      for (const name of ["am-1", "am-2"])
        peers.push(
          await startAlertmanager({
            binary: binaries.paths.alertmanager,
            dir: join(dir.path, name),
            config: `route:
  receiver: aiwatch
  # Every alert its own group: 2,000 notifications from each peer.
  group_by: ['...']
  group_wait: 1s
  group_interval: 5m
  repeat_interval: 4h
receivers:
  - name: aiwatch
    webhook_configs:
      - url: ${proxy.url}/api/v1/alerts
        http_config:
          authorization:
            type: Bearer
            credentials: ${TOKEN}
`,
          }),
        );
    });

    afterAll(async () => {
      await Promise.all(peers.map((p) => p.stop()));
      await Promise.all(replicas.map((r) => r.process.stop()));
      await proxy?.close();
      await chat?.close();
      await db?.end();
      await server?.stop();
      dir?.remove();
    });

    it(
      "delivers every notification once, apart from messages in flight at the kill",
      { timeout: 150_000 },
      async () => {
        const startsAt = new Date(Date.now() - 60_000).toISOString();
        const alerts = Array.from({ length: ALERTS }, (_, i) => ({
          labels: { alertname: "DrillAlert", severity: "warning", n: String(i) },
          annotations: { summary: `drill alert ${i}` },
          startsAt,
          generatorURL: "http://prometheus.example:9090/graph?g0.expr=up",
        }));
        // The chat endpoint fails for a while: the backlog builds up in the outbox.
        chat.failNext("server-error", 25);
        await Promise.all(peers.map((p) => p.pushAlerts(alerts)));
        const stored = async (): Promise<number> =>
          Number(
            (await db.query<{ n: string }>("SELECT count(*) AS n FROM notifications")).rows[0]?.n ??
              0,
          );
        await waitFor(
          "half of the groups stored",
          async () => ((await stored()) >= ALERTS / 2 ? true : undefined),
          { timeoutMs: 60_000 },
        );
        // Mid-backlog: kill -9 the replica draining the chat (the first if none holds it yet).
        const lease = await db.query<{ owner: string }>(
          "SELECT owner FROM destination_leases WHERE destination = 'chat'",
        );
        const holderPid = Number(lease.rows[0]?.owner.split("/")[1] ?? Number.NaN);
        const killed = replicas.find((r) => r.process.child.pid === holderPid) ?? replicas[0];
        if (!killed) throw new Error("no replica");
        const killedAt = await stored();
        killed.process.child.kill("SIGKILL");
        await waitFor("the replica to die", () =>
          killed.process.child.signalCode === "SIGKILL" ? true : undefined,
        );
        // And another is restarted (a rolling update's step: stopped cleanly, started again).
        const restarted = replicas.find((r) => r !== killed);
        if (!restarted) throw new Error("no replica");
        await restarted.process.stop();
        restarted.process = await startReplica(restarted.port);

        const deliveries = (): Map<string, string[]> => {
          const byAlert = new Map<string, string[]>();
          for (const message of chat.accepted) {
            const key = String(message.request.headers["idempotency-key"] ?? "");
            const body = message.request.json as {
              notifications: { alerts: { labels: Record<string, string> }[] }[];
            };
            for (const n of body.notifications)
              for (const a of n.alerts) {
                const id = a.labels["n"] ?? "";
                byAlert.set(id, [...(byAlert.get(id) ?? []), key]);
              }
          }
          return byAlert;
        };
        await waitFor(
          "every alert delivered",
          () => (deliveries().size >= ALERTS ? true : undefined),
          { timeoutMs: 90_000 },
        ).catch(async (error: unknown) => {
          throw new Error(
            `${String(error)}: ${deliveries().size} of ${ALERTS} delivered, ${await stored()} stored`,
          );
        });
        // A moment for a late second copy to show before counting.
        await waitFor("the outbox to be empty", async () => {
          const pending = await db.query<{ n: string }>(
            "SELECT count(*) AS n FROM deliveries WHERE state <> 'delivered'",
          );
          return Number(pending.rows[0]?.n) === 0 ? true : undefined;
        });
        const byAlert = deliveries();
        const resent = [...byAlert.values()].filter((keys) => keys.length > 1);
        const twiceUnderAnotherKey = resent.filter((keys) => new Set(keys).size > 1);
        console.log(
          `HA drill: ${ALERTS} alerts from 2 Alertmanagers; killed ${killed.process.child.pid === holderPid ? "the replica draining the chat" : "a replica (no lease taken yet)"} with ${killedAt} stored, restarted another (${chat.requests.length} chat requests, ${chat.accepted.length} accepted); ${byAlert.size} delivered; ${resent.length} sent again under the same idempotency key (in flight at the kill); ${twiceUnderAnotherKey.length} twice otherwise; ${await stored()} notifications stored; proxy connections per replica ${JSON.stringify([...proxy.connections.values()])}`,
        );
        expect(byAlert.size).toBe(ALERTS);
        expect([...byAlert.keys()].sort()).toEqual(
          Array.from({ length: ALERTS }, (_, i) => String(i)).sort(),
        );
        expect(twiceUnderAnotherKey).toEqual([]);
        // At most what one message (a digest of max_digest, 50) carried when the kill came.
        expect(resent.length).toBeLessThanOrEqual(50);
        // Both peers sent every group, yet each is stored once.
        expect(await stored()).toBe(ALERTS);
        expect(chat.rejected).toEqual([]);
      },
    );
  },
);
