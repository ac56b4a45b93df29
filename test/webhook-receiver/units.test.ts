import { describe, expect, it } from "vitest";
import {
  classifyDingTalk,
  dingTalkSignature,
} from "../../webhook-receiver/destinations/dingtalk.js";
import { classifyDiscord } from "../../webhook-receiver/destinations/discord.js";
import { classifyFeishu, feishuSignature } from "../../webhook-receiver/destinations/feishu.js";
import { parseRetryAfter } from "../../webhook-receiver/destinations/classify-http.js";
import { classifySmtpError } from "../../webhook-receiver/destinations/email.js";
import { classifyTeams } from "../../webhook-receiver/destinations/teams.js";
import { classifyWeCom } from "../../webhook-receiver/destinations/wecom.js";
import { splitSections } from "../../webhook-receiver/destinations/slack.js";
import { dedupKey } from "../../webhook-receiver/payload/dedup-key.js";
import { labelSetFingerprint } from "../../webhook-receiver/payload/fingerprint.js";
import { parseWebhookPayload } from "../../webhook-receiver/payload/parse-payload.js";
import { backoffMs } from "../../webhook-receiver/pipeline/backoff.js";
import { TokenBucket } from "../../webhook-receiver/pipeline/token-bucket.js";
import { computeAlertReport } from "../../webhook-receiver/report/alert-report.js";
import { formatAlertReport } from "../../webhook-receiver/report/format-report.js";
import { parseMatcher } from "../../webhook-receiver/routing/matcher.js";
import type { Matcher } from "../../webhook-receiver/routing/matcher.js";
import {
  matchedRoutes,
  routeNotification,
} from "../../webhook-receiver/routing/route-notification.js";
import { expectGolden } from "../support/golden.js";
import { notification, webhookPayload } from "./sample-notifications.js";

const ok200 = (body: unknown) => ({ status: 200, headers: {}, body: JSON.stringify(body) });

describe("normalising Alertmanager's quirks", () => {
  it("unquotes the receiver, drops firing endsAt, keeps resolved ones, cuts nanoseconds, derives what is missing", () => {
    const payload = {
      ...webhookPayload({
        alerts: [{ name: "A" }, { name: "A", labels: { gpu: "1" }, status: "resolved" }],
      }),
      receiver: "team\\.ml\\+ops",
      truncatedAlerts: 3,
      extraFieldFromNewerAlertmanager: { anything: true },
    };
    payload.alerts[0] = {
      ...(payload.alerts[0] as (typeof payload.alerts)[0]),
      startsAt: "2026-11-22T03:00:00.123456789Z",
    };
    delete (payload as { groupKey?: string }).groupKey;
    const parsed = parseWebhookPayload(payload);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.diagnostics));
    const n = parsed.notification;
    expect(n.receiver).toBe("team.ml+ops");
    expect(n.truncatedAlerts).toBe(3);
    expect(n.groupKey).toBe('{}:{alertname="A"}');
    expect(n.alerts[0]?.startsAt).toBe("2026-11-22T03:00:00.123Z");
    expect(n.alerts[0]?.endsAt).toBeUndefined();
    expect(n.alerts[1]?.endsAt).toBe("2026-11-22T03:30:00.000Z");
    expect(n.alerts[0]?.fingerprint).toBe(labelSetFingerprint({ alertname: "A" }));
  });

  it("computes Alertmanager's fingerprint (FNV-1a over sorted labels)", () => {
    // Values checked against a real Alertmanager in alertmanager-e2e.test.ts; these pin them.
    expect(labelSetFingerprint({})).toBe("cbf29ce484222325");
    expect(labelSetFingerprint({ alertname: "A", b: "c" })).toBe(
      labelSetFingerprint({ b: "c", alertname: "A" }),
    );
    expect(labelSetFingerprint({ alertname: "A" })).not.toBe(
      labelSetFingerprint({ alertname: "B" }),
    );
  });

  it("reads RFC 3339 times only: a bare year or a time without its zone is refused", () => {
    const at = (startsAt: string) => {
      const payload = webhookPayload({ alerts: [{ name: "A" }] });
      return parseWebhookPayload({
        ...payload,
        alerts: payload.alerts.map((a) => ({ ...a, startsAt })),
      });
    };
    expect(at("2026-11-22T10:00:00.123456789-05:00").ok).toBe(true);
    for (const bad of [
      "2024",
      "2026-11-22T10:00:00",
      "2026-11-22 10:00:00Z",
      "2026-13-01T00:00:00Z",
    ]) {
      const parsed = at(bad);
      expect(parsed.ok, bad).toBe(false);
      if (!parsed.ok)
        expect(parsed.diagnostics[0]?.message, bad).toContain(
          "alerts[0].startsAt: expected an RFC 3339 time such as 2026-11-22T10:30:00Z",
        );
    }
  });

  it("keys duplicates on group, status and alerts, not on the sender's external URL", () => {
    const a = parseWebhookPayload(webhookPayload({ alerts: [{ name: "A" }] }));
    const b = parseWebhookPayload({
      ...webhookPayload({ alerts: [{ name: "A" }] }),
      externalURL: "http://peer:9093",
    });
    const c = parseWebhookPayload(webhookPayload({ alerts: [{ name: "A", status: "resolved" }] }));
    if (!a.ok || !b.ok || !c.ok) throw new Error("parse");
    expect(dedupKey(a.notification)).toBe(dedupKey(b.notification));
    expect(dedupKey(a.notification)).not.toBe(dedupKey(c.notification));
  });
});

describe("routing", () => {
  const m = (text: string): Matcher => {
    const parsed = parseMatcher(text);
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.matcher;
  };
  it("parses the four operators, anchors regexes and treats a missing label as empty", () => {
    const labels = { severity: "critical", team: "ml-infra" };
    expect(m('severity="critical"').matches(labels)).toBe(true);
    expect(m("severity!=warning").matches(labels)).toBe(true);
    expect(m('team=~"ml-.*"').matches(labels)).toBe(true);
    expect(m('team=~"ml"').matches(labels)).toBe(false);
    expect(m('team!~"ml-.*"').matches(labels)).toBe(false);
    expect(m('owner=""').matches(labels)).toBe(true);
    expect(parseMatcher("severity").ok).toBe(false);
  });

  it("takes the first matching route, goes on after `continue`, falls back to the default", () => {
    const routes = [
      {
        id: "routes[0]",
        matchers: [m('severity="critical"')],
        destinations: ["pager", "chat"],
        continue: true,
      },
      {
        id: "routes[1]",
        matchers: [m('layer="data"')],
        destinations: ["data-team", "chat"],
        continue: false,
      },
      {
        id: "routes[2]",
        matchers: [m('layer=~".+"')],
        destinations: ["everyone"],
        continue: false,
      },
    ];
    const fallback = {
      id: "default_route",
      matchers: [],
      destinations: ["fallback"],
      continue: false,
    };
    const of = (labels: Record<string, string>) =>
      routeNotification(notification([], { commonLabels: labels }), routes, fallback).map(
        (r) => `${r.destination}@${r.routeId}`,
      );
    expect(of({ severity: "critical", layer: "data" })).toEqual([
      "pager@routes[0]",
      "chat@routes[0]",
      "data-team@routes[1]",
    ]);
    expect(of({ layer: "model" })).toEqual(["everyone@routes[2]"]);
    expect(of({})).toEqual(["fallback@default_route"]);
  });

  it("routes a mixed-severity group by each alert's labels: one critical alert among warnings reaches the critical route", () => {
    const routes = [
      {
        id: "routes[0]",
        matchers: [m('severity="critical"')],
        destinations: ["pager"],
        continue: false,
      },
      {
        id: "routes[1]",
        matchers: [m('severity="warning"')],
        destinations: ["chat"],
        continue: false,
      },
    ];
    const fallback = {
      id: "default_route",
      matchers: [],
      destinations: ["fallback"],
      continue: false,
    };
    const alert = (severity: string, gpu: string) => ({
      status: "firing" as const,
      labels: { alertname: "GpuHot", severity, gpu },
      annotations: {},
      startsAt: "2026-11-22T03:00:00.000Z",
      endsAt: "0001-01-01T00:00:00Z",
      generatorURL: "",
      fingerprint: gpu,
    });
    const group = (alerts: ReturnType<typeof alert>[]) =>
      routeNotification(
        notification(alerts, {
          groupLabels: { alertname: "GpuHot" },
          commonLabels: { alertname: "GpuHot" },
        }),
        routes,
        fallback,
      ).map((r) => `${r.destination}@${r.routeId}`);
    // The critical alert goes to the pager, the warnings to chat: both get the whole group.
    expect(group([alert("warning", "0"), alert("critical", "1"), alert("warning", "2")])).toEqual([
      "pager@routes[0]",
      "chat@routes[1]",
    ]);
    expect(group([alert("warning", "0"), alert("warning", "2")])).toEqual(["chat@routes[1]"]);
    // An alert no route matches still reaches the default route.
    expect(group([alert("critical", "1"), alert("info", "3")])).toEqual([
      "pager@routes[0]",
      "fallback@default_route",
    ]);
    // Both routes post to one chat: the message goes out once, under the first route, but
    // the second still matched (its automated actions must run).
    const shared = routes.map((r) => ({ ...r, destinations: ["chat"] }));
    const mixed = notification([alert("warning", "0"), alert("critical", "1")], {
      groupLabels: { alertname: "GpuHot" },
      commonLabels: { alertname: "GpuHot" },
    });
    expect(
      routeNotification(mixed, shared, fallback).map((r) => `${r.destination}@${r.routeId}`),
    ).toEqual(["chat@routes[0]"]);
    expect(matchedRoutes(mixed, shared, fallback).map((r) => r.id)).toEqual([
      "routes[0]",
      "routes[1]",
    ]);
  });
});

describe("classification by HTTP status and in-band codes", () => {
  const now = Date.parse("2026-11-22T00:00:00Z");
  it("DingTalk", () => {
    expect(classifyDingTalk(ok200({ errcode: 0, errmsg: "ok" }), now)).toEqual({
      kind: "delivered",
    });
    expect(
      classifyDingTalk(ok200({ errcode: 130101, errmsg: "send too fast" }), now),
    ).toMatchObject({ kind: "retry", retryAfterMs: 60_000, rateLimited: true });
    expect(classifyDingTalk(ok200({ errcode: 310000, errmsg: "sign not match" }), now).kind).toBe(
      "permanent",
    );
    expect(classifyDingTalk(ok200({ errcode: 460101, errmsg: "message too long" }), now).kind).toBe(
      "resize",
    );
    expect(classifyDingTalk(ok200({ errcode: -1, errmsg: "busy" }), now).kind).toBe("retry");
    expect(classifyDingTalk({ status: 502, headers: {}, body: "" }, now).kind).toBe("retry");
  });
  it("Feishu", () => {
    expect(classifyFeishu(ok200({ code: 0, msg: "success" }), now).kind).toBe("delivered");
    expect(classifyFeishu(ok200({ StatusCode: 0, StatusMessage: "success" }), now).kind).toBe(
      "delivered",
    );
    expect(classifyFeishu(ok200({ code: 11232, msg: "frequency limited" }), now)).toMatchObject({
      kind: "retry",
      rateLimited: true,
    });
    expect(classifyFeishu(ok200({ code: 19021, msg: "sign match fail" }), now).kind).toBe(
      "permanent",
    );
  });
  it("WeCom", () => {
    expect(
      classifyWeCom(ok200({ errcode: 45009, errmsg: "api freq out of limit" }), now),
    ).toMatchObject({ kind: "retry", retryAfterMs: 60_000 });
    expect(classifyWeCom(ok200({ errcode: 93000, errmsg: "invalid webhook url" }), now).kind).toBe(
      "permanent",
    );
    expect(
      classifyWeCom(
        ok200({ errcode: 40058, errmsg: "markdown.content exceed max length 4096" }),
        now,
      ).kind,
    ).toBe("resize");
  });
  it("Teams, Discord, SMTP and Retry-After", () => {
    expect(classifyTeams({ status: 202, headers: {}, body: "" }, now).kind).toBe("delivered");
    expect(classifyTeams({ status: 200, headers: {}, body: "1" }, now).kind).toBe("delivered");
    expect(
      classifyTeams(
        {
          status: 200,
          headers: {},
          body: "Microsoft Teams endpoint returned HTTP error 413 with ContextId x",
        },
        now,
      ).kind,
    ).toBe("resize");
    expect(
      classifyDiscord(
        {
          status: 429,
          headers: { "retry-after": "1" },
          body: JSON.stringify({ retry_after: 3.5 }),
        },
        now,
      ),
    ).toMatchObject({ retryAfterMs: 3500 });
    expect(classifyDiscord({ status: 404, headers: {}, body: '{"code":10015}' }, now).kind).toBe(
      "permanent",
    );
    expect(classifySmtpError(Object.assign(new Error("x"), { responseCode: 421 })).kind).toBe(
      "retry",
    );
    expect(classifySmtpError(Object.assign(new Error("x"), { code: "ECONNREFUSED" })).kind).toBe(
      "retry",
    );
    expect(classifySmtpError(Object.assign(new Error("x"), { responseCode: 552 })).kind).toBe(
      "resize",
    );
    expect(parseRetryAfter("Sun, 22 Nov 2026 00:00:30 GMT", now)).toBe(30_000);
  });
  it("signs like the platforms' documented examples", () => {
    // Recomputed independently by the stand-ins; pinned here so a change is noticed.
    expect(dingTalkSignature("this is secret", 1_700_000_000_000)).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(feishuSignature("secret", 1_700_000_000)).not.toBe(
      feishuSignature("secret", 1_700_000_001),
    );
  });
});

describe("rate and retry timing", () => {
  it("token bucket: burst, refill and a platform-imposed pause", () => {
    let t = 0;
    const bucket = new TokenBucket({ perMinute: 60, burst: 2 }, () => t);
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
    expect(bucket.msUntilToken()).toBe(1000);
    t = 1000;
    expect(bucket.tryTake()).toBe(true);
    t = 5000;
    bucket.pauseFor(10_000);
    expect(bucket.available()).toBe(0);
    expect(bucket.msUntilToken()).toBe(10_000);
  });
  it("backoff grows exponentially with jitter and is capped", () => {
    expect(backoffMs(0, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffMs(3, 1000, 60_000, () => 1)).toBe(8000);
    expect(backoffMs(20, 1000, 60_000, () => 1)).toBe(60_000);
  });
  it("splits Slack bodies at line ends within 3,000 characters", () => {
    const body = Array.from({ length: 100 }, (_, i) => `line ${i} ${"x".repeat(80)}`).join("\n");
    const sections = splitSections(body);
    expect(sections.every((s) => s.length <= 3000)).toBe(true);
    expect(sections.join("\n")).toBe(body);
  });
});

describe("the alert report", () => {
  it("counts by alert and severity, finds the noisiest and flapping alerts and time to resolve", () => {
    const at = (m: number) => Date.parse("2026-11-20T00:00:00Z") + m * 60_000;
    const alert = (name: string, severity: string, start: number, end?: number, fp = name) => ({
      status: end === undefined ? ("firing" as const) : ("resolved" as const),
      labels: { alertname: name, severity },
      annotations: {},
      startsAt: new Date(at(start)).toISOString(),
      ...(end !== undefined ? { endsAt: new Date(at(end)).toISOString() } : {}),
      fingerprint: fp,
    });
    const entries = [
      { receivedAt: at(0), notification: notification([alert("Flappy", "warning", 0)]) },
      { receivedAt: at(5), notification: notification([alert("Flappy", "warning", 0, 5)]) },
      { receivedAt: at(10), notification: notification([alert("Flappy", "warning", 10)]) },
      { receivedAt: at(12), notification: notification([alert("Flappy", "warning", 10, 12)]) },
      { receivedAt: at(20), notification: notification([alert("Flappy", "warning", 20)]) },
      {
        receivedAt: at(30),
        notification: notification([
          alert("GpuXid", "critical", 30),
          alert("GpuXid", "critical", 30, undefined, "g2"),
        ]),
      },
      { receivedAt: at(90), notification: notification([alert("GpuXid", "critical", 30, 90)]) },
    ];
    const report = computeAlertReport(entries, at(0), at(100));
    expect(report.flapping).toEqual([{ alertname: "Flappy", fingerprint: "Flappy", episodes: 3 }]);
    expect(report.noisiest[0]).toMatchObject({ alertname: "Flappy", notifications: 5 });
    expect(report.timeToResolve.find((t) => t.alertname === "GpuXid")).toMatchObject({
      resolved: 1,
      medianMs: 3_600_000,
    });
    expectGolden(new URL("golden/report.txt", import.meta.url).pathname, formatAlertReport(report));
  });
});
