import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HistoryStore } from "../../webhook-receiver/store/history-store.js";
import { openDatabase } from "../../webhook-receiver/store/open-database.js";
import type { SqliteDatabase } from "../../webhook-receiver/store/open-database.js";
import { OutboxStore } from "../../webhook-receiver/store/outbox-store.js";
import { prepareOutboxWrites } from "../../webhook-receiver/store/outbox-writes.js";
import { makeTempDir } from "../support/temp-dir.js";
import type { TempDir } from "../support/temp-dir.js";

const DAY = 86_400_000;
let dir: TempDir;
let db: SqliteDatabase;
beforeEach(() => {
  dir = makeTempDir("receiver-prune");
  db = openDatabase(join(dir.path, "receiver.db"), "normal");
});
afterEach(() => {
  db.close();
  dir.remove();
});

describe("history retention", () => {
  it("prunes the channel state of groups resolved and quiet for longer than the retention", () => {
    const write = prepareOutboxWrites(db);
    const delivered = (now: number, groupKey: string, firing: string[]) =>
      write([
        { op: "delivered", ids: [], now, groups: [{ destination: "chat", groupKey, firing }] },
      ]);
    const now = 100 * DAY;
    delivered(now - 40 * DAY, "resolved-long-ago", []);
    delivered(now - 10 * DAY, "resolved-recently", []);
    delivered(now - 40 * DAY, "still-firing", ["fp1"]);
    // Firing but silent for four retentions: never repeated, so never to be continued.
    delivered(now - 121 * DAY, "firing-abandoned", ["fp2"]);
    new HistoryStore(db).prune(now, 30 * DAY, DAY);
    const keys = db
      .prepare<[], { group_key: string }>("SELECT group_key FROM group_state ORDER BY group_key")
      .all()
      .map((r) => r.group_key);
    expect(keys).toEqual(["resolved-recently", "still-firing"]);
    // A firing group's next message still counts its alert as still firing.
    expect([...new OutboxStore(db).previouslyFiring("chat", "still-firing")]).toEqual(["fp1"]);
  });
});
