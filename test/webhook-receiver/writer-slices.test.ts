import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startInboxWriter } from "../../webhook-receiver/store/inbox-writer.js";
import type { InboxWriter } from "../../webhook-receiver/store/inbox-writer.js";
import type { AcceptRecord } from "../../webhook-receiver/store/inbox-writes.js";
import { openDatabase } from "../../webhook-receiver/store/open-database.js";
import type { SqliteDatabase } from "../../webhook-receiver/store/open-database.js";
import { makeTempDir } from "../support/temp-dir.js";
import type { TempDir } from "../support/temp-dir.js";
import { firingRecord } from "./sample-notifications.js";

/**
 * An acceptance never waits for a whole routing batch: a transaction of routing records
 * that runs past its slice when an acceptance is waiting commits with the acceptance in
 * it, and the rest of the routing follows. Needs the build (`npm test` builds first): the
 * writer runs dist/webhook-receiver/store/writer-worker.js.
 */
let dir: TempDir;
let db: SqliteDatabase;
let writer: InboxWriter;
beforeEach(() => {
  dir = makeTempDir("receiver-writer-slices");
});
afterEach(async () => {
  await writer.close();
  db.close();
  dir.remove();
});

const T0 = 1_800_000_000_000;
/** Enough routing for a few hundred milliseconds of the writer's time, with incident filing. */
const ROUTED = 3000;

function record(name: string): AcceptRecord {
  return firingRecord(name, T0);
}

function count(table: string): number {
  return db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${table}`).get()?.n ?? -1;
}

describe("the writer thread", () => {
  it("answers an acceptance that arrives during a long routing batch before the batch ends", async () => {
    const path = join(dir.path, "receiver.db");
    db = openDatabase(path, "full");
    writer = startInboxWriter(path, "full", db);
    expect(writer.threaded, "built? npm test builds first").toBe(true);
    const ids: number[] = [];
    for (let batch = 0; batch < ROUTED / 500; batch++) {
      const accepted = await writer.accept(
        Array.from({ length: 500 }, (_, i) => record(`Alert${batch * 500 + i}`)),
        0,
      );
      ids.push(...accepted.map((a) => a.id));
    }

    const answered: string[] = [];
    // Posted together: whether the writer reads the acceptance before it starts the routing
    // or while it runs (after the last batch's commit it may find both, and then takes
    // other work first), the acceptance is answered within a slice of the routing. The
    // second one is posted when the first is answered, so while the routing runs.
    const acceptances = writer.accept([record("First")], 0).then(async () => {
      answered.push("acceptance before routing");
      await writer.accept([record("During")], 0);
      answered.push("acceptance during routing");
    });
    const routing = writer
      .route(
        ids.map((id) => ({
          id,
          enrichment: null,
          routed: [{ destination: "chat", routeId: "0" }],
        })),
        T0,
      )
      .then((outcome) => {
        answered.push("routing");
        return outcome;
      });
    const [, outcome] = await Promise.all([acceptances, routing]);

    expect(answered).toEqual(["acceptance before routing", "acceptance during routing", "routing"]);
    // Routed in several commits, as if in one: every notification once, each filed.
    expect(outcome.unfiled).toEqual([]);
    expect(count("deliveries")).toBe(ROUTED);
    expect(count("incident_notifications")).toBe(ROUTED);
    expect(count("inbox")).toBe(2);
    expect(count("notifications")).toBe(ROUTED + 2);
  });
});
