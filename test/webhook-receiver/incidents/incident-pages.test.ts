import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it as vitestIt } from "vitest";
import type { Enricher } from "../../../webhook-receiver/pipeline/enrichment.js";
import { repoPath } from "../../support/fixtures.js";
import { sampleEnrichment } from "../../support/sample-incident.js";
import { makeTempDir } from "../../support/temp-dir.js";
import type { TempDir } from "../../support/temp-dir.js";
import { waitFor } from "../../support/wait-for.js";
import { configHead, loadConfigText, startHarness, TOKEN } from "../receiver-harness.js";
import type { Harness } from "../receiver-harness.js";
import { startSmtpStandIn } from "../platforms/smtp.js";
import { webhookPayload } from "../sample-notifications.js";
import { PostgresReceiverStore } from "../../../webhook-receiver/store/postgres/postgres-receiver-store.js";
import { storeBackends } from "../store-backends.js";
import { CHAT_TYPES, chatDestinationsYaml, standInEnv, startAllStandIns } from "../stand-ins.js";

let dir: TempDir;
let harness: Harness | undefined;
/** receiver.yaml's storage section of the store under test. */
let storage = "";
afterEach(async () => {
  await harness?.receiver.stop();
  harness = undefined;
  dir.remove();
});

/** configHead with the storage of the store under test. */
const head = (d: string): string => configHead(d).replace(/storage:\n( {2}.*\n)+/, storage);
const EXTERNAL = "https://aiwatch.example.com";
const config = (d: string) =>
  head(d).replace("web:\n", `web:\n  external_url: ${EXTERNAL}/\n`) +
  `destinations:
  - { name: out, type: console }
default_route:
  destinations: [out]
`;
const auth = { authorization: `Bearer ${TOKEN}` };
const LINK =
  /Incident page: https:\/\/aiwatch\.example\.com\/incidents\/(\d+)\?key=([A-Za-z0-9_-]{22})/;

function payload(status: "firing" | "resolved", startsAt: string) {
  return webhookPayload({
    alerts: [{ name: "GpuHot", labels: { gpu: "0", severity: "warning" }, status, startsAt }],
    groupLabels: { alertname: "GpuHot" },
  });
}

async function messages(h: Harness, count: number): Promise<string[]> {
  return waitFor(`${count} messages`, () =>
    h.stdout.length >= count ? h.stdout.slice(0, count) : undefined,
  );
}

async function post(h: Harness, body: unknown): Promise<void> {
  const response = await h.post(body);
  expect(response.status).toBe(200);
}

/** Incident filing and pages, the same on both stores. */
describe.each(storeBackends())("incidents on $name", (backend) => {
  backend.setup();
  beforeEach(async () => {
    dir = makeTempDir("incident-pages");
    storage = backend.available ? await backend.storageYaml(dir.path) : "";
  });
  const it = backend.available ? vitestIt : vitestIt.skip;
  it("files each episode of a group as one incident and links every message to it", async () => {
    harness = await startHarness(dir.path, config(dir.path));
    const h = harness;
    await post(h, payload("firing", "2026-11-22T03:00:00.000Z"));
    await messages(h, 1);
    await post(h, payload("resolved", "2026-11-22T03:00:00.000Z"));
    await messages(h, 2);
    // Fires again, then a second GPU joins the group: one more episode of the same group.
    await post(h, payload("firing", "2026-11-22T05:00:00.000Z"));
    await messages(h, 3);
    await post(
      h,
      webhookPayload({
        alerts: [
          {
            name: "GpuHot",
            labels: { gpu: "0", severity: "warning" },
            startsAt: "2026-11-22T05:00:00.000Z",
          },
          {
            name: "GpuHot",
            labels: { gpu: "1", severity: "warning" },
            startsAt: "2026-11-22T05:01:00.000Z",
          },
        ],
        groupLabels: { alertname: "GpuHot" },
      }),
    );
    const sent = await messages(h, 4);
    const links = sent.map((m) => LINK.exec(m));
    expect(
      links.every((l) => l !== null),
      sent.join("\n---\n"),
    ).toBe(true);
    const [first, resolved, second, repeated] = links.map((l) => ({ id: l?.[1], key: l?.[2] }));
    expect(resolved).toEqual(first);
    expect(repeated).toEqual(second);
    expect(second?.id).not.toBe(first?.id);
    expect(second?.key).not.toBe(first?.key);

    const old = await h.receiver.incidents.get(Number(first?.id));
    expect(old).toMatchObject({ alertname: "GpuHot", closeReason: "resolved", notifications: 2 });
    expect(old?.closedAt).toBe(Date.parse("2026-11-22T03:30:00.000Z"));
    const current = await h.receiver.incidents.get(Number(second?.id));
    expect(current).toMatchObject({ notifications: 2, fingerprint: old?.fingerprint });
    expect(current?.startedAt).toBe(Date.parse("2026-11-22T05:00:00.000Z"));
    expect(current?.closedAt).toBeUndefined();

    // The key opens the page without credentials; the page knows the first episode.
    const page = await fetch(`${h.receiver.url}/incidents/${second?.id}?key=${second?.key}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("1 previous occurrence of this alert");
    expect(html).toContain(`href="/incidents/${first?.id}"`);
    expect(html).toMatch(/median time to resolve 30m 0s/);
    expect(html).toMatch(/data-event="received"[^>]*>.*notification #\d+ from Alertmanager/);
    expect(html).toMatch(/data-event="sent"[^>]*>.*message for #\d+ to out delivered/);
  });

  it("opens a page with its own key or the receiver's credentials, nothing else", async () => {
    harness = await startHarness(dir.path, config(dir.path));
    const h = harness;
    await post(h, payload("firing", "2026-11-22T03:00:00.000Z"));
    await post(
      h,
      webhookPayload({ alerts: [{ name: "Other" }], groupLabels: { alertname: "Other" } }),
    );
    const sent = await messages(h, 2);
    const [a, b] = sent.map((m) => LINK.exec(m));
    const url = (id: string | undefined, key?: string) =>
      `${h.receiver.url}/incidents/${id ?? ""}${key !== undefined ? `?key=${key}` : ""}`;
    expect((await fetch(url(a?.[1]))).status).toBe(401);
    expect((await fetch(url(a?.[1], "wrong-key-wrong-key-wr"))).status).toBe(401);
    expect((await fetch(url(a?.[1], b?.[2]))).status).toBe(401);
    expect((await fetch(url(a?.[1], ""))).status).toBe(401);
    expect((await fetch(`${url(a?.[1])}?key=${a?.[2]}&key=${a?.[2]}`)).status).toBe(401);
    expect((await fetch(url("abc", a?.[2]))).status).toBe(401);
    expect((await fetch(url("abc"), { headers: auth })).status).toBe(404);
    expect((await fetch(url("999"), { headers: auth })).status).toBe(404);
    const byKey = await fetch(url(a?.[1], a?.[2]));
    expect(byKey.status).toBe(200);
    expect(byKey.headers.get("content-security-policy")).toMatch(
      /default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'/,
    );
    expect(byKey.headers.get("cache-control")).toBe("no-store");
    expect(byKey.headers.get("referrer-policy")).toBe("no-referrer");
    expect((await fetch(url(a?.[1]), { headers: auth })).status).toBe(200);
    // The list is behind the auth only: a key opens its own page, nothing more.
    expect((await fetch(`${h.receiver.url}/incidents?key=${a?.[2]}`)).status).toBe(401);
    const list = await fetch(`${h.receiver.url}/incidents`, { headers: auth });
    expect(list.status).toBe(200);
    const listHtml = await list.text();
    expect(listHtml).toContain("Noisiest alerts, last 7 days");
    expect(listHtml).toMatch(/<td>GpuHot<\/td><td class="num">1<\/td>/);
    expect(listHtml).toContain(`href="/incidents/${a?.[1]}"`);
    // No chart without evidence.
    expect((await fetch(`${url(a?.[1])}/chart.png?key=${a?.[2]}`)).status).toBe(404);
    const metrics = await (await fetch(`${h.receiver.url}/metrics`)).text();
    expect(metrics).toMatch(
      /aiwatch_receiver_requests_rejected_total\{reason="unauthorized",endpoint="incidents"\} 7/,
    );
  });

  it("counts and logs a notification it could not file under an incident; its message still goes, without a link", async () => {
    harness = await startHarness(dir.path, config(dir.path));
    const h = harness;
    const before = await (await fetch(`${h.receiver.url}/metrics`)).text();
    // Exposed at 0 from the start, so increase() sees the first failure (the alert fires).
    expect(before).toContain('aiwatch_receiver_storage_errors_total{operation="incident"} 0');
    // The disk refuses the incident tables only: routing and delivery go on.
    const store = h.receiver.store;
    if (store instanceof PostgresReceiverStore)
      await store.pool.query(`
        CREATE FUNCTION refuse_incidents() RETURNS trigger LANGUAGE plpgsql
          AS $$ BEGIN RAISE EXCEPTION 'incident table unwritable'; END $$;
        CREATE TRIGGER refuse_incidents BEFORE INSERT ON incidents
          FOR EACH ROW EXECUTE FUNCTION refuse_incidents()`);
    else
      h.receiver.database.exec(
        "CREATE TRIGGER refuse_incidents BEFORE INSERT ON incidents BEGIN SELECT RAISE(ABORT, 'incident table unwritable'); END",
      );
    await post(h, payload("firing", "2026-11-22T03:00:00.000Z"));
    const [message] = await messages(h, 1);
    expect(message).toContain("GpuHot");
    expect(message).not.toContain("Incident page:");
    const metrics = await (await fetch(`${h.receiver.url}/metrics`)).text();
    expect(metrics).toContain('aiwatch_receiver_storage_errors_total{operation="incident"} 1');
    const logged = h.logs.find((l) => l.includes("cannot file a notification under its incident"));
    expect(JSON.parse(logged ?? "{}")).toMatchObject({
      level: "error",
      notification: expect.any(Number) as unknown,
      error: "incident table unwritable",
    });
  });

  it("shows labels and annotations with HTML, SVG and javascript: URLs as text", async () => {
    harness = await startHarness(dir.path, config(dir.path));
    const h = harness;
    await post(
      h,
      webhookPayload({
        alerts: [
          {
            name: "Evil<script>alert(1)</script>",
            labels: {
              svg: '<svg onload="alert(2)"><circle r="9"/></svg>',
              'x"><img src=x onerror=alert(3)>': "y",
            },
            annotations: {
              summary: '<img src=x onerror="alert(4)">',
              description: '"><a href="javascript:alert(5)">click</a>',
              runbook_url: "javascript:alert(6)",
            },
          },
        ],
        groupLabels: { alertname: "Evil<script>alert(1)</script>" },
      }),
    );
    const [message] = await messages(h, 1);
    const [, id] = LINK.exec(message ?? "") ?? [];
    const html = await (await fetch(`${h.receiver.url}/incidents/${id}`, { headers: auth })).text();
    expect(html).not.toMatch(/<script|<svg onload|<img|<a href="javascript|<circle/i);
    expect(html).toContain("Evil&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("&lt;svg onload=&quot;alert(2)&quot;&gt;");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(4)&quot;&gt;");
    expect(html).toContain("Runbook: javascript:alert(6)");
    expect(html).toContain("x&quot;&gt;&lt;img src=x onerror=alert(3)&gt;=y");
  });

  it("draws the evidence stored at enrichment time, and its main chart as a PNG", async () => {
    const onsetMs = Date.parse("2026-11-22T03:00:00.000Z");
    const enricher: Enricher = {
      enrich: () => Promise.resolve(sampleEnrichment({ onsetMs, series: 10, points: 120 })),
    };
    harness = await startHarness(dir.path, config(dir.path), { enricher });
    const h = harness;
    await post(h, payload("firing", "2026-11-22T03:00:00.000Z"));
    const [message] = await messages(h, 1);
    const [, id, key] = LINK.exec(message ?? "") ?? [];
    const html = await (await fetch(`${h.receiver.url}/incidents/${id}?key=${key}`)).text();
    expect(html).toContain("Probable cause: data (confidence 0.72)");
    expect(html.match(/<svg /g)).toHaveLength(11);
    expect(html.match(/data-marker="onset"/g)).toHaveLength(11);
    expect(html).toMatch(/<rect data-nonfinite="NaN"/);
    expect(html).toMatch(/data-threshold="2"/);
    expect(html).toContain(">ratio</text>");
    expect(html).toMatch(/data-event="enriched"[^>]*>.*evidence captured: Probable cause: data/);
    const png = await fetch(`${h.receiver.url}/incidents/${id}/chart.png?key=${key}`);
    expect(png.status).toBe(200);
    expect(png.headers.get("content-type")).toBe("image/png");
    const bytes = Buffer.from(await png.arrayBuffer());
    expect(bytes.subarray(1, 4).toString("latin1")).toBe("PNG");
    expect(bytes.readUInt32BE(16)).toBe(1200);
    expect((await fetch(`${h.receiver.url}/incidents/${id}/chart.png`)).status).toBe(401);
  });

  it("shows the main chart in Slack, Discord, Teams and e-mail; a link elsewhere", async () => {
    const onsetMs = Date.parse("2026-11-22T03:00:00.000Z");
    const enricher: Enricher = {
      enrich: () => Promise.resolve(sampleEnrichment({ onsetMs, series: 2, points: 60 })),
    };
    const standIns = await startAllStandIns();
    const smtp = await startSmtpStandIn("aiwatch", "smtp-pass");
    try {
      const yaml = `${head(dir.path).replace("web:\n", `web:\n  external_url: ${EXTERNAL}\n`)}${chatDestinationsYaml()}  - name: mail
    type: email
    from: aiwatch@example.com
    to: [oncall@example.com]
    smtp: { host: 127.0.0.1, port: ${smtp.port}, username: aiwatch, password: { env: SMTP_PASSWORD }, require_tls: false }
default_route:
  destinations: [${[...CHAT_TYPES, "mail"].join(", ")}]
`;
      harness = await startHarness(dir.path, yaml, {
        enricher,
        env: { ...standInEnv(standIns), SMTP_PASSWORD: "smtp-pass" },
      });
      const h = harness;
      await post(h, payload("firing", "2026-11-22T03:00:00.000Z"));
      await waitFor("every destination's message", () =>
        CHAT_TYPES.every((t) => standIns[t].accepted.length === 1) && smtp.mails.length === 1
          ? true
          : undefined,
      );
      const chart =
        /https:\/\/aiwatch\.example\.com\/incidents\/(\d+)\/chart\.png\?key=([A-Za-z0-9_-]{22})/;
      const bodyOf = (t: (typeof CHAT_TYPES)[number]) =>
        JSON.stringify(standIns[t].accepted[0]?.request.json);
      const slack = standIns.slack.accepted[0]?.request.json as {
        blocks: { type: string; image_url?: string; alt_text?: string }[];
      };
      const image = slack.blocks.find((b) => b.type === "image");
      expect(image?.image_url).toMatch(chart);
      expect(image?.alt_text).toBe("Chart: TrainingLossSpike: the alert's own signal");
      expect(bodyOf("discord")).toMatch(
        /"image":\{"url":"https:\/\/aiwatch\.example\.com\/incidents\/\d+\/chart\.png/,
      );
      expect(bodyOf("teams")).toMatch(/"type":"Image","url":"https:\/\/aiwatch\.example\.com/);
      // Feishu's cards show only uploaded images (an app's image_key): the link is there.
      for (const t of ["feishu", "dingtalk", "wecom", "webhook"] as const) {
        expect(bodyOf(t)).not.toMatch(chart);
        expect(standIns[t].accepted[0]?.text).toContain("https://aiwatch.example.com/incidents/");
      }
      // The generic webhook carries the analysis, not the stored series.
      expect(bodyOf("webhook")).not.toContain('"evidence"');
      // E-mail carries the PNG inline.
      // Quoted-printable: soft line breaks joined, "=" decoded.
      const raw = (smtp.mails[0]?.raw ?? "").replace(/=\r\n/g, "").replace(/=3D/g, "=");
      expect(raw).toContain('src="cid:incident-chart@aiwatch"');
      expect(raw).toMatch(/Content-Type: image\/png[\s\S]*Content-ID: <incident-chart@aiwatch>/i);
      // The URL the platforms fetch answers with the PNG.
      const [, id, key] = chart.exec(image?.image_url ?? "") ?? [];
      const png = await fetch(`${h.receiver.url}/incidents/${id}/chart.png?key=${key}`);
      expect(png.headers.get("content-type")).toBe("image/png");
    } finally {
      await standIns.close();
      await smtp.close();
    }
  });

  it("loads the documented configuration, and refuses an external URL that is not http(s)", async () => {
    const docs = readFileSync(repoPath("docs", "webhook-receiver.md"), "utf8");
    const section = docs.slice(docs.indexOf("### Incident pages"));
    const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
    expect(block).toContain("external_url:");
    const rest = `storage: { path: ${dir.path}/receiver.db }
destinations: [{ name: out, type: console }]
default_route: { destinations: [out] }
`;
    const loaded = await loadConfigText(dir.path, block + rest);
    expect(loaded.externalUrl).toBe("https://aiwatch.example.com");
    await expect(
      loadConfigText(dir.path, block.replace("https://aiwatch.example.com", "javascript:x") + rest),
    ).rejects.toThrow(
      /receiver\.yaml:\d+:\d+: error invalid-url: web\.external_url: expected an http/,
    );
  });

  it("shows evidence that arrived after the message, digests on the timeline, and forgets with the history", async () => {
    const onsetMs = Date.parse("2026-11-22T03:00:00.000Z");
    const enricher: Enricher = {
      enrich: (n, _signal, context) => {
        // The analysis misses the deadline: the message goes without, the evidence follows.
        if (n.groupLabels["alertname"] === "Late")
          setTimeout(
            () => context.followUp(sampleEnrichment({ onsetMs, series: 1, points: 30 })),
            50,
          );
        return Promise.resolve(undefined);
      },
    };
    const yaml = `${head(dir.path).replace("web:\n", `web:\n  external_url: ${EXTERNAL}\n`)}destinations:
  - { name: out, type: console, rate_limit: { per_minute: 600, burst: 1 } }
default_route:
  destinations: [out]
`;
    harness = await startHarness(dir.path, yaml, { enricher });
    const h = harness;
    await Promise.all(
      ["Late", "B", "C"].map((name) =>
        post(h, webhookPayload({ alerts: [{ name }], groupLabels: { alertname: name } })),
      ),
    );
    const late = await waitFor("the follow-up", () =>
      h.stdout.find((m) => m.includes("update to an earlier message")),
    );
    const [, id, key] = LINK.exec(late) ?? [];
    const html = await (await fetch(`${h.receiver.url}/incidents/${id}?key=${key}`)).text();
    expect(html).toContain("Probable cause: data (confidence 0.72)");
    expect(html).toMatch(/data-event="sent"[^>]*>.*follow-up for #\d+ to out delivered/);
    // The three were due at once with one token: one digest.
    expect(html).toMatch(/message for #\d+ to out delivered in a digest of [23] notifications/);

    const now = Date.now() + 86_400_000;
    await h.receiver.store.prune(now, 0, 0);
    expect(await h.receiver.incidents.prune(now)).toBe(3);
    const gone = await fetch(`${h.receiver.url}/incidents/${id}?key=${key}`);
    expect(gone.status).toBe(401);
    const list = await (await fetch(`${h.receiver.url}/incidents`, { headers: auth })).text();
    expect(list).toContain("No incidents yet.");
  });
});
