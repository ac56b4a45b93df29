import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { filingFacts } from "../../webhook-receiver/incidents/incident-filing.js";
import type { Notification } from "../../webhook-receiver/payload/notification.js";
import { recordOf } from "../../webhook-receiver/payload/prepare-notification.js";
import type { Enrichment } from "../../webhook-receiver/pipeline/enrichment.js";
import type { AcceptRecord, ReceiverStore } from "../../webhook-receiver/store/receiver-store.js";
import {
  migratePostgres,
  POSTGRES_SCHEMA_VERSION,
} from "../../webhook-receiver/store/postgres/postgres-schema.js";
import { PostgresReceiverStore } from "../../webhook-receiver/store/postgres/postgres-receiver-store.js";
import { makeTempDir } from "../support/temp-dir.js";
import type { TempDir } from "../support/temp-dir.js";
import { firingRecord, notification } from "./sample-notifications.js";
import { storeBackends } from "./store-backends.js";

const T0 = 1_800_000_000_000;
const HOUR = 3_600_000;

function record(name: string, receivedAt = T0): AcceptRecord {
  return firingRecord(name, receivedAt);
}

function payloadText(payload: string | Uint8Array): string {
  return typeof payload === "string" ? payload : new TextDecoder().decode(payload);
}

const claimA = { owner: "replica-a", until: T0 + 30_000 };
const claimB = { owner: "replica-b", until: T0 + 30_000 };

const GPU_GROUP = '{}:{alertname="GpuHot"}';

/** A notification of the GpuHot group showing `alerts` (fingerprint, start, status). */
function episode(
  alerts: readonly { fp: string; startsAt: string; status?: "firing" | "resolved" }[],
  receivedAt: number,
): AcceptRecord {
  const n = notification(
    alerts.map((a) => ({
      status: a.status ?? "firing",
      labels: { alertname: "GpuHot", gpu: a.fp },
      annotations: {},
      startsAt: a.startsAt,
      ...(a.status === "resolved" ? { endsAt: "2026-11-22T03:30:00.000Z" } : {}),
      fingerprint: a.fp,
    })),
    { groupKey: GPU_GROUP, groupLabels: { alertname: "GpuHot" } },
  );
  return { ...recordOf(n), receivedAt };
}

const S1 = "2026-11-22T03:00:00.000Z";
const S2 = "2026-11-22T05:00:00.000Z";

async function acceptAndRoute(
  store: ReceiverStore,
  records: readonly AcceptRecord[],
  claim = claimA,
): Promise<number[]> {
  const accepted = await store.accept(records, T0 - HOUR, claim);
  // With the filing facts, as the receiver routes (tests that call route() without
  // them file from the stored payloads).
  await store.route(
    accepted.map((r, i) => ({
      id: r.id,
      enrichment: null,
      routed: [{ destination: "chat", routeId: "default" }],
      filing: filingFacts(JSON.parse(payloadText(records[i]?.payload ?? "")) as Notification),
    })),
    T0,
  );
  return accepted.map((r) => r.id);
}

/** The store contract: the same tests on SQLite and on PostgreSQL. */
describe.each(storeBackends())("$name store", (backend) => {
  backend.setup();
  let dir: TempDir;
  let store: ReceiverStore;
  const extra: ReceiverStore[] = [];
  beforeEach(async () => {
    dir = makeTempDir("store");
    if (backend.available) store = await backend.open(dir.path);
  });
  afterEach(async () => {
    await Promise.all(extra.splice(0).map((s) => s.close()));
    await store?.close();
    dir.remove();
  });

  it.skipIf(!backend.available)(
    "accepts once within the dedup window, also twice in one batch",
    async () => {
      const [first, again, other] = await store.accept(
        [record("A"), record("A"), record("B")],
        T0 - HOUR,
        claimA,
      );
      expect(first).toEqual({ duplicate: false, id: expect.any(Number) as number });
      expect(again).toEqual({ duplicate: true, id: first?.id });
      expect(other?.duplicate).toBe(false);
      const [later] = await store.accept([record("A", T0 + 1000)], T0 - HOUR, claimA);
      expect(later).toEqual({ duplicate: true, id: first?.id });
      // Outside the window, the same notification is a new one (Alertmanager's repeat).
      const [repeat] = await store.accept([record("A", T0 + 2 * HOUR)], T0 + HOUR, claimA);
      expect(repeat?.duplicate).toBe(false);
      expect(repeat?.id).not.toBe(first?.id);
      expect((await store.history(0)).map((h) => h.receivedAt)).toEqual([T0, T0, T0 + 2 * HOUR]);
    },
  );

  it.skipIf(!backend.available)(
    "stores batches of any size whole, with every character of their payloads",
    async () => {
      // Sizes on both sides of PostgreSQL's padded statement sizes (powers of two) and
      // past one statement's 512 rows; text that an escaping mistake would change.
      const text = `"quoted" back\\slash \\" é 🚀 {a,b} 'single' NULL \n tab\t`;
      const sizes = [1, 2, 3, 5, 8, 9, 600];
      // Every third payload as UTF-8 bytes, as the payload thread hands over a large
      // body's; the store may take the buffers over, so each accept gets records of its own.
      const records = (): AcceptRecord[][] => {
        let n = 0;
        return sizes.map((size) =>
          Array.from({ length: size }, () => {
            const name = `B${n++}`;
            const base = firingRecord(name, T0 + n);
            const alert = {
              status: "firing" as const,
              labels: { alertname: name, note: text },
              annotations: { summary: `${text}${name}` },
              startsAt: "2026-11-22T03:00:00.000Z",
              fingerprint: `fp-${name}`,
            };
            const { payload, ...rest } = recordOf(
              notification([alert], { groupKey: base.groupKey }),
            );
            return {
              ...rest,
              payload: n % 3 === 0 ? new TextEncoder().encode(String(payload)) : payload,
              receivedAt: base.receivedAt,
            };
          }),
        );
      };
      const expected = records()
        .flat()
        .map((r) =>
          typeof r.payload === "string" ? r.payload : new TextDecoder().decode(r.payload),
        );
      const ids: number[] = [];
      for (const batch of records()) {
        const accepted = await store.accept(batch, T0 - HOUR, claimA);
        expect(accepted.map((r) => r.duplicate)).toEqual(batch.map(() => false));
        ids.push(...accepted.map((r) => r.id));
      }
      expect(new Set(ids).size).toBe(ids.length);
      // Ids follow the dedup keys' order within a batch (PostgreSQL locks keys sorted).
      const stored = await store.history(0);
      expect(stored.map((h) => JSON.stringify(h.notification)).sort()).toEqual(expected.sort());
      // Accepted again in one batch: all of them duplicates, each naming its first id.
      const again = await store.accept(records().flat(), T0 - HOUR, claimA);
      expect(again).toEqual(ids.map((id) => ({ duplicate: true, id })));
    },
  );

  it.skipIf(!backend.available)(
    "hands out unrouted notifications once their claim expired, and routes each once",
    async () => {
      const [a, b] = await store.accept([record("A"), record("B")], T0 - HOUR, claimA);
      // The accepting process routes them itself while its claim lasts.
      expect(await store.claimUnrouted(claimA, T0 + 1000, 10)).toEqual([]);
      const later = { owner: "replica-c", until: T0 + 90_000 };
      const taken = await store.claimUnrouted(later, T0 + 60_000, 10);
      expect(taken.map((n) => n.id)).toEqual([a?.id, b?.id]);
      expect(taken[0]?.notification.groupKey).toBe('{}:{alertname="A"}');
      expect(await store.claimUnrouted(later, T0 + 61_000, 10)).toEqual([]);
      const routed = [{ destination: "chat", routeId: "default" }];
      const results = [a, b].map((r) => ({ id: r?.id ?? 0, enrichment: null, routed }));
      // The first owner finishes late, and the one that took over too: deliveries once.
      await store.route(results, T0 + 61_000);
      await store.route(results, T0 + 62_000);
      expect(await store.claimUnrouted(later, T0 + 10 * HOUR, 10)).toEqual([]);
      const due = await store.due("chat", T0 + 62_000, 10);
      expect(due.map((d) => d.notificationId)).toEqual([a?.id, b?.id]);
      expect(await store.schedule(["chat", "mail"])).toEqual([
        { destination: "chat", next: T0 + 61_000 },
      ]);
    },
  );

  it.skipIf(!backend.available)(
    "records a digest's send at once, and a shrink with its retry",
    async () => {
      const accepted = await store.accept(
        [record("A"), record("B"), record("C")],
        T0 - HOUR,
        claimA,
      );
      await store.route(
        accepted.map((r) => ({
          id: r.id,
          enrichment: null,
          routed: [{ destination: "chat", routeId: "default" }],
        })),
        T0,
      );
      const due = await store.due("chat", T0, 10);
      const [first, second, third] = due;
      const ids = [first?.id ?? 0, second?.id ?? 0];
      await store.recordOutbox([
        { op: "attempt", ids, at: T0, outcome: "delivered", detail: null, durationMs: 2 },
        {
          op: "delivered",
          ids,
          now: T0,
          // Two notifications of one group in a digest: the later one is what shows.
          groups: [
            { destination: "chat", groupKey: "g", firing: ["fp-1"] },
            { destination: "chat", groupKey: "h", firing: ["fp-2"] },
            { destination: "chat", groupKey: "g", firing: ["fp-1", "fp-3"] },
          ],
        },
      ]);
      const firing = await store.previouslyFiringGroups("chat", ["g", "h", "unknown"]);
      expect([...firing.entries()].map(([k, v]) => [k, [...v]])).toEqual([
        ["g", ["fp-1", "fp-3"]],
        ["h", ["fp-2"]],
      ]);
      // Both update the same row: applied one after the other, in one transaction.
      await store.recordOutbox([
        { op: "shrink", ids: [third?.id ?? 0], sizeLimit: 600 },
        { op: "retry", ids: [third?.id ?? 0], nextAttemptAt: T0 + 10, error: "too large" },
      ]);
      const [resized] = await store.due("chat", T0 + 10, 10);
      expect(resized).toMatchObject({ id: third?.id, sizeLimit: 600, attempts: 1 });
      expect((await store.delivered()).map((d) => d.notificationId)).toEqual([
        first?.notificationId,
        second?.notificationId,
      ]);
    },
  );

  it.skipIf(!backend.available)(
    "records sends: delivered, retried, dead and replayed, with the channel's state",
    async () => {
      const [a, b] = await store.accept([record("A"), record("B")], T0 - HOUR, claimA);
      const routed = [{ destination: "chat", routeId: "default" }];
      await store.route(
        [a, b].map((r) => ({
          id: r?.id ?? 0,
          enrichment: JSON.stringify({ headline: "Likely cause: data", details: [] }),
          routed,
        })),
        T0,
      );
      const [da, db] = await store.due("chat", T0, 10);
      expect(da?.enrichment?.headline).toBe("Likely cause: data");
      await store.recordOutbox([
        {
          op: "attempt",
          ids: [da?.id ?? 0],
          at: T0,
          outcome: "delivered",
          detail: null,
          durationMs: 3,
        },
        {
          op: "delivered",
          ids: [da?.id ?? 0],
          now: T0,
          groups: [{ destination: "chat", groupKey: "g", firing: ["fp-A"] }],
        },
        { op: "retry", ids: [db?.id ?? 0], nextAttemptAt: T0 + 5000, error: "HTTP 500" },
      ]);
      expect([...(await store.previouslyFiring("chat", "g"))]).toEqual(["fp-A"]);
      expect((await store.due("chat", T0 + 1000, 10)).map((d) => d.id)).toEqual([]);
      expect((await store.due("chat", T0 + 5000, 10)).map((d) => d.attempts)).toEqual([1]);
      await store.recordOutbox([{ op: "dead", ids: [db?.id ?? 0], now: T0 + 6000, error: "gone" }]);
      const dead = await store.deadLetters();
      expect(dead).toMatchObject([
        {
          id: db?.id,
          destination: "chat",
          lastError: "gone",
          attempts: 2,
          groupKey: '{}:{alertname="B"}',
        },
      ]);
      expect(await store.deadLetters("mail")).toEqual([]);
      expect(await store.countsByDestination()).toEqual([
        { destination: "chat", state: "dead", count: 1, oldest: T0 },
      ]);
      expect(await store.replay({ destination: "chat" }, T0 + 7000)).toBe(1);
      expect(await store.replay({ destination: "chat" }, T0 + 7000)).toBe(0);
      expect((await store.due("chat", T0 + 7000, 10)).map((d) => d.attempts)).toEqual([0]);
      expect(await store.delivered()).toEqual([
        { notificationId: a?.id, destination: "chat", kind: "notification" },
      ]);
      // A follow-up goes where the notification went.
      expect(
        await store.enqueueFollowUp(
          a?.id ?? 0,
          { headline: "late evidence", details: [] },
          T0 + 8000,
        ),
      ).toBe(1);
      const followUp = (await store.due("chat", T0 + 8000, 10)).find((d) => d.kind === "follow_up");
      expect(followUp?.enrichment?.headline).toBe("late evidence");
      expect((await store.notification(a?.id ?? 0))?.enrichment?.headline).toBe(
        "Likely cause: data",
      );
    },
  );

  it.skipIf(!backend.available)(
    "prunes what retention no longer needs, keeping pending work",
    async () => {
      const [a, b] = await store.accept([record("A"), record("B")], T0 - HOUR, claimA);
      const routed = [{ destination: "chat", routeId: "default" }];
      await store.route(
        [a, b].map((r) => ({ id: r?.id ?? 0, enrichment: null, routed })),
        T0,
      );
      const [da] = await store.due("chat", T0, 1);
      await store.recordOutbox([{ op: "delivered", ids: [da?.id ?? 0], now: T0, groups: [] }]);
      expect(await store.prune(T0 + 40 * 24 * HOUR, 30 * 24 * HOUR, HOUR)).toBe(1);
      expect((await store.history(0)).map((h) => h.notification.groupKey)).toEqual([
        '{}:{alertname="B"}',
      ]);
      // The dedup key went with the window: the same notification is new again.
      const [again] = await store.accept([record("A", T0 + 40 * 24 * HOUR)], T0, claimA);
      expect(again?.duplicate).toBe(false);
    },
  );

  it.skipIf(!backend.available)(
    "files each episode of a group as one incident, linked from its due deliveries",
    async () => {
      // Routed in two batches: episodes are cut the same way whatever the batches.
      const firstBatch = await acceptAndRoute(store, [
        episode([{ fp: "a", startsAt: S1 }], T0),
        episode(
          [
            { fp: "a", startsAt: S1 },
            { fp: "b", startsAt: S1 },
          ],
          T0 + 1,
        ),
      ]);
      const secondBatch = await acceptAndRoute(store, [
        episode(
          [
            { fp: "a", startsAt: S1, status: "resolved" },
            { fp: "b", startsAt: S1, status: "resolved" },
          ],
          T0 + 2,
        ),
        // Fires again: a new episode of the same group.
        episode([{ fp: "a", startsAt: S2 }], T0 + 3),
      ]);
      const ids = [...firstBatch, ...secondBatch];
      const due = await store.due("chat", T0, 10);
      const linkOf = new Map(due.map((d) => [d.notificationId, d.incident]));
      const [one, two, three, four] = ids.map((id) => linkOf.get(id));
      expect(one?.token).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(two).toEqual(one);
      expect(three).toEqual(one);
      expect(four?.id).not.toBe(one?.id);
      expect(four?.token).not.toBe(one?.token);

      const first = await store.incidents.get(one?.id ?? 0);
      expect(first).toMatchObject({
        alertname: "GpuHot",
        groupKey: GPU_GROUP,
        fingerprint: "a",
        notifications: 3,
        closeReason: "resolved",
        closedAt: Date.parse("2026-11-22T03:30:00.000Z"),
        startedAt: Date.parse(S1),
        openedAt: T0,
        lastAt: T0 + 2,
      });
      const second = await store.incidents.get(four?.id ?? 0);
      expect(second).toMatchObject({ notifications: 1, startedAt: Date.parse(S2) });
      expect(second?.closedAt).toBeUndefined();
      if (!second) throw new Error("no second incident");
      expect((await store.incidents.history(second)).map((i) => i.id)).toEqual([one?.id]);
      expect((await store.incidents.notifications(one?.id ?? 0)).map((n) => n.id)).toEqual(
        ids.slice(0, 3),
      );
      expect((await store.incidents.list(10)).map((i) => i.id)).toEqual([four?.id, one?.id]);
      // Firing: 30 minutes for the resolved episode, until `now` for the open one.
      expect(await store.incidents.noisiest(0, T0 + 10, 5)).toEqual([
        {
          alertname: "GpuHot",
          incidents: 2,
          notifications: 4,
          firingMs: 30 * 60_000 + (T0 + 10 - Date.parse(S2)),
        },
      ]);

      // A digest's send: each attempt knows how many deliveries it carried.
      const digest = due.filter((d) => ids.slice(0, 2).includes(d.notificationId)).map((d) => d.id);
      await store.recordOutbox([
        {
          op: "attempt",
          ids: digest,
          at: T0 + 5,
          outcome: "delivered",
          detail: null,
          durationMs: 3,
        },
        { op: "delivered", ids: digest, now: T0 + 5, groups: [] },
      ]);
      const attempts = await store.incidents.attempts(one?.id ?? 0);
      expect(attempts.map((a) => [a.outcome, a.batch])).toEqual([
        ["delivered", 2],
        ["delivered", 2],
      ]);
      expect(
        (await store.incidents.deliveries(one?.id ?? 0)).map((d) => [d.notificationId, d.state]),
      ).toEqual([
        [ids[0], "delivered"],
        [ids[1], "delivered"],
        [ids[2], "pending"],
      ]);
    },
  );

  it.skipIf(!backend.available)(
    "closes a stored open episode as superseded when its group fires again with only new alerts",
    async () => {
      // The second routing finds the first episode stored and open: a group whose first
      // alert ended unannounced (send_resolved: false) and a new one fired.
      const [first] = await acceptAndRoute(store, [episode([{ fp: "a", startsAt: S1 }], T0)]);
      const [second] = await acceptAndRoute(store, [episode([{ fp: "b", startsAt: S2 }], T0 + 1)]);
      const linkOf = new Map(
        (await store.due("chat", T0, 10)).map((d) => [d.notificationId, d.incident]),
      );
      const old = await store.incidents.get(linkOf.get(first ?? 0)?.id ?? 0);
      const next = await store.incidents.get(linkOf.get(second ?? 0)?.id ?? 0);
      expect(old).toMatchObject({ fingerprint: "a", closeReason: "superseded", closedAt: T0 });
      expect(next).toMatchObject({ fingerprint: "b", notifications: 1, openedAt: T0 + 1 });
      expect(next?.closedAt).toBeUndefined();
      expect((await store.incidents.list(10)).map((i) => i.fingerprint)).toEqual(["b", "a"]);
    },
  );

  it.skipIf(!backend.available)(
    "reads an incident's newest evidence, also from a late follow-up, and forgets with the history",
    async () => {
      const [id] = await store.accept(
        [episode([{ fp: "a", startsAt: S1 }], T0)],
        T0 - HOUR,
        claimA,
      );
      const nid = id?.id ?? 0;
      await store.route(
        [
          {
            id: nid,
            enrichment: JSON.stringify({
              headline: "no evidence yet",
              details: [],
              evidence: null,
            }),
            routed: [{ destination: "chat", routeId: "default" }],
          },
        ],
        T0,
      );
      const [d] = await store.due("chat", T0, 10);
      const incident = d?.incident?.id ?? 0;
      expect((await store.incidents.list(1))[0]?.headline).toBe("no evidence yet");
      expect((await store.incidents.enrichment(incident))?.headline).toBe("no evidence yet");
      const late = { headline: "Probable cause: data", details: [], evidence: { signal: null } };
      await store.enqueueFollowUp(nid, late as unknown as Enrichment, T0 + 1);
      expect((await store.incidents.enrichment(incident))?.headline).toBe("Probable cause: data");

      // Once history retention dropped its notifications (nothing pending), it goes.
      await store.recordOutbox([
        {
          op: "delivered",
          ids: (await store.due("chat", T0 + 1, 10)).map((x) => x.id),
          now: T0 + 2,
          groups: [],
        },
      ]);
      await store.prune(T0 + 10 * HOUR, HOUR, HOUR);
      expect(await store.incidents.prune(T0 + 10 * HOUR - HOUR)).toBe(1);
      expect(await store.incidents.get(incident)).toBeUndefined();
    },
  );

  it.skipIf(!backend.available)("keeps the actions history", async () => {
    const base = {
      at: T0,
      notificationId: null,
      receiver: "aiwatch",
      groupKey: "g",
      action: "restart",
      route: "default",
      mode: "live",
      method: "POST",
      target: "http://127.0.0.1/hook",
      detail: "calling",
    } as const;
    const id = await store.actions.insert({ ...base, result: "started" });
    await store.actions.insert({ ...base, at: T0 + 1000, result: "rate_limited" });
    await store.actions.finish(id, "called", 200, "POST → HTTP 200", 12);
    expect(await store.actions.ranSince("restart", "live", T0 - 1)).toBe(1);
    expect(await store.actions.lastRunFor("restart", "aiwatch", "g", "live", T0 - 1)).toBe(T0);
    expect(await store.actions.lastRunFor("restart", "aiwatch", "other", "live", 0)).toBe(
      undefined,
    );
    expect((await store.actions.since(0)).map((r) => [r.result, r.status])).toEqual([
      ["called", 200],
      ["rate_limited", null],
    ]);
  });
});

/** What only a store several replicas share has to prove. */
const [, postgres] = storeBackends();
describe.skipIf(!postgres?.available)("PostgreSQL store shared by replicas", () => {
  postgres?.setup();
  let dir: TempDir;
  const open: ReceiverStore[] = [];
  beforeEach(() => {
    dir = makeTempDir("store-shared");
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    dir.remove();
  });
  const replicas = async (count: number): Promise<ReceiverStore[]> => {
    if (!postgres?.openShared) throw new Error("no PostgreSQL");
    const first = await postgres.open(dir.path);
    const openShared = postgres.openShared;
    const rest = await Promise.all(Array.from({ length: count - 1 }, () => openShared(first)));
    const all = [first, ...rest];
    open.push(...all);
    return all;
  };

  it("stores a notification posted to two replicas at once exactly once", async () => {
    const [one, two] = await replicas(2);
    const records = Array.from({ length: 50 }, (_, i) => record(`Alert${i}`));
    const [a, b] = await Promise.all([
      one?.accept(records, T0 - HOUR, claimA),
      two?.accept([...records].reverse(), T0 - HOUR, claimB),
    ]);
    const fresh = [...(a ?? []), ...(b ?? [])].filter((r) => !r.duplicate);
    expect(fresh).toHaveLength(50);
    expect((await one?.history(0))?.length).toBe(50);
  });

  it("lets one replica at a time drain a destination, until its lease expires", async () => {
    const [one, two] = await replicas(2);
    expect(await one?.leaseDestination("chat", claimA, T0)).toBe(true);
    expect(await two?.leaseDestination("chat", claimB, T0 + 1000)).toBe(false);
    expect(await two?.leaseDestination("mail", claimB, T0 + 1000)).toBe(true);
    // The holder renews; after it stops renewing, the lease passes on.
    expect(await one?.leaseDestination("chat", { ...claimA, until: T0 + 60_000 }, T0 + 2000)).toBe(
      true,
    );
    expect(await two?.leaseDestination("chat", claimB, T0 + 59_000)).toBe(false);
    expect(
      await two?.leaseDestination("chat", { ...claimB, until: T0 + 90_000 }, T0 + 61_000),
    ).toBe(true);
    // A clean stop hands its leases over at once.
    await two?.releaseLeases("replica-b");
    expect(await one?.leaseDestination("mail", claimA, T0 + 62_000)).toBe(true);
  });

  it("files one group routed by two replicas at once under one open incident", async () => {
    const [one, two] = await replicas(2);
    if (!one || !two) throw new Error("expected two replicas");
    const records = Array.from({ length: 20 }, (_, i) =>
      episode(
        [
          { fp: "a", startsAt: S1 },
          { fp: `x${i}`, startsAt: S1 },
        ],
        T0 + i,
      ),
    );
    const accepted = await one.accept(records, T0 - HOUR, claimA);
    const routed = (rs: typeof accepted) =>
      rs.map((r) => ({
        id: r.id,
        enrichment: null,
        routed: [{ destination: "chat", routeId: "default" }],
      }));
    // Odd ones on one replica, even ones on the other, at the same moment.
    await Promise.all([
      one.route(routed(accepted.filter((_, i) => i % 2 === 0)), T0),
      two.route(routed(accepted.filter((_, i) => i % 2 === 1)), T0),
    ]);
    const due = await one.due("chat", T0, 100);
    expect(due).toHaveLength(20);
    const incidents = new Set(due.map((d) => d.incident?.id));
    expect(incidents.size).toBe(1);
    const [id] = [...incidents];
    expect((await two.incidents.get(id ?? 0))?.notifications).toBe(20);
  });

  it("runs beside a newer, compatible schema and refuses an incompatible one", async () => {
    const [one] = await replicas(1);
    if (!(one instanceof PostgresReceiverStore)) throw new Error("expected PostgreSQL");
    // A newer receiver expanded the schema (old receivers still compatible).
    const V = POSTGRES_SCHEMA_VERSION;
    const expand = {
      version: V + 1,
      minCompatible: 1,
      sql: "ALTER TABLE deliveries ADD COLUMN IF NOT EXISTS note TEXT",
    };
    await migratePostgres(one.pool, V + 1, [expand]);
    await expect(migratePostgres(one.pool, 1)).resolves.toBeUndefined();
    await expect(migratePostgres(one.pool, V)).resolves.toBeUndefined();
    // A later contraction leaves version V behind: it refuses to start, saying why.
    const contract = { version: V + 2, minCompatible: V + 1, sql: "SELECT 1" };
    await migratePostgres(one.pool, V + 2, [contract]);
    await expect(migratePostgres(one.pool, V)).rejects.toThrow(
      `schema is at version ${V + 2} and needs a receiver of schema version ${V + 1} or newer; this receiver has ${V}`,
    );
  });

  /** A replica with one connection, so every statement it prepares is on the one it reads. */
  const singleConnection = async (preparedStatements: boolean): Promise<PostgresReceiverStore> => {
    const [first] = await replicas(1);
    if (!first || !postgres?.openShared) throw new Error("no PostgreSQL");
    const one = await postgres.openShared(first, { maxConnections: 1, preparedStatements });
    open.push(one);
    if (!(one instanceof PostgresReceiverStore)) throw new Error("expected PostgreSQL");
    return one;
  };
  const prepared = async (store: PostgresReceiverStore): Promise<string[]> =>
    (
      await store.pool.query<{ name: string; statement: string }>(
        "SELECT name, statement FROM pg_prepared_statements ORDER BY name",
      )
    ).rows.map((r) => `${r.name.replace(/_.*/, "")} ${r.statement.replace(/\s+/g, " ").trim()}`);

  it.each([true, false])(
    "prepares each per-webhook statement once per connection (prepared_statements: %s)",
    async (preparedStatements) => {
      const one = await singleConnection(preparedStatements);
      await acceptAndRoute(one, [record("A"), record("B"), record("C")]);
      await acceptAndRoute(one, [record("D"), record("E"), record("F"), record("G")]);
      expect(await one.due("chat", T0, 10)).toHaveLength(7);
      const statements = await prepared(one);
      if (!preparedStatements) {
        expect(statements).toEqual([]);
        return;
      }
      // Accepting, routing, filing and reading the outbox, each prepared once although
      // each ran twice (with arrays of other lengths; an accept's rows are padded to a
      // power of two, four both times).
      for (const part of [
        "INSERT INTO dedup_keys",
        "DELETE FROM inbox",
        "pg_advisory_xact_lock",
        "INSERT INTO incidents",
        "FROM deliveries d JOIN notifications n",
      ])
        expect(
          statements.filter((s) => s.includes(part)),
          part,
        ).toHaveLength(1);
      expect(statements.every((s) => s.startsWith("aiwatch "))).toBe(true);
      // Batches of 1, 2, 5 and 8 add statements for one, two and eight rows: one per
      // power of two, not one per size.
      for (const size of [1, 2, 5, 8])
        await one.accept(
          Array.from({ length: size }, (_, i) => record(`S${size}-${i}`)),
          T0 - HOUR,
          claimA,
        );
      const accepts = (await prepared(one)).filter((s) => s.includes("INSERT INTO dedup_keys"));
      expect(accepts).toHaveLength(4);
    },
  );

  it("keeps using its prepared statements after a newer replica expands the schema", async () => {
    const one = await singleConnection(true);
    await acceptAndRoute(one, [record("A")]);
    expect(await one.due("chat", T0, 10)).toHaveLength(1);
    const V = POSTGRES_SCHEMA_VERSION;
    await migratePostgres(one.pool, V + 1, [
      {
        version: V + 1,
        minCompatible: 1,
        sql: "ALTER TABLE deliveries ADD COLUMN note TEXT; ALTER TABLE notifications ADD COLUMN note TEXT; ALTER TABLE incidents ADD COLUMN note TEXT",
      },
    ]);
    await acceptAndRoute(one, [record("B")]);
    expect(await one.due("chat", T0, 10)).toHaveLength(2);
  });
  it("routes what it can when filing fails, and keeps its connection after a failed routing", async () => {
    // One connection: a failed transaction must not leave it unusable for the next.
    const one = await singleConnection(true);
    await one.pool.query(`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$`);
    await one.pool.query(
      "CREATE TRIGGER refuse_incidents BEFORE INSERT ON incidents FOR EACH ROW EXECUTE FUNCTION refuse()",
    );
    const routedTo = (ids: readonly number[]) =>
      ids.map((id) => ({
        id,
        enrichment: null,
        routed: [{ destination: "chat", routeId: "default" }],
      }));
    const first = await one.accept([record("A"), record("B")], T0 - HOUR, claimA);
    const outcome = await one.route(routedTo(first.map((r) => r.id)), T0);
    // Filing failed: routed all the same, and the caller is told which went unfiled.
    expect(outcome.unfiled.map((u) => u.id).sort()).toEqual(first.map((r) => r.id).sort());
    expect(outcome.unfiled[0]?.error).toContain("refused by the test");
    const due = await one.due("chat", T0, 10);
    expect(due.map((d) => d.notificationId).sort()).toEqual(first.map((r) => r.id).sort());
    expect(due.every((d) => d.incident === undefined)).toBe(true);
    // The routing statement itself fails: nothing of it stays, and the notification
    // stays in the inbox to be routed again.
    await one.pool.query("DROP TRIGGER refuse_incidents ON incidents");
    await one.pool.query(
      "CREATE TRIGGER refuse_deliveries BEFORE INSERT ON deliveries FOR EACH ROW EXECUTE FUNCTION refuse()",
    );
    const second = await one.accept([record("C")], T0 - HOUR, claimA);
    const ids = second.map((r) => r.id);
    await expect(one.route(routedTo(ids), T0)).rejects.toThrow("refused by the test");
    await one.pool.query("DROP TRIGGER refuse_deliveries ON deliveries");
    expect(await one.route(routedTo(ids), T0)).toEqual({ unfiled: [] });
    const after = await one.due("chat", T0, 10);
    expect(after).toHaveLength(3);
    expect(after.find((d) => d.notificationId === ids[0])?.incident?.id).toBeGreaterThan(0);
  });
});
