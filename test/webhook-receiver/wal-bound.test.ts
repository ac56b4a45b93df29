import { statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startInboxWriter } from "../../webhook-receiver/store/inbox-writer.js";
import type { InboxWriter } from "../../webhook-receiver/store/inbox-writer.js";
import type { AcceptRecord } from "../../webhook-receiver/store/inbox-writes.js";
import { openDatabase } from "../../webhook-receiver/store/open-database.js";
import type { SqliteDatabase } from "../../webhook-receiver/store/open-database.js";
import { makeTempDir } from "../support/temp-dir.js";
import type { TempDir } from "../support/temp-dir.js";

/**
 * The WAL stays bounded under a stream of commits: SQLite starts the WAL over only when a
 * write begins with all of it copied back, which the checkpointer thread alone never
 * achieves while commits keep coming (the WAL grew by 37 MB a second in the ack bench). The
 * writer checkpoints itself past 1,000 pages; here the checkpointer is held off entirely,
 * so the writer's own checkpoints are all that can keep the file small. Needs the build
 * (`npm test` builds first): the writer runs dist/webhook-receiver/store/writer-worker.js.
 */
let dir: TempDir;
let db: SqliteDatabase;
let writer: InboxWriter;
beforeEach(() => {
  dir = makeTempDir("receiver-wal-bound");
});
afterEach(async () => {
  await writer.close();
  db.close();
  dir.remove();
});

const PAGE = 4096;
const AUTOCHECKPOINT_PAGES = 1000;

function records(batch: number): AcceptRecord[] {
  return Array.from({ length: 10 }, (_, i) => ({
    payload: JSON.stringify({ batch, i, filler: "x".repeat(4000) }),
    receiver: "aiwatch",
    groupKey: `{}:{batch="${batch}"}`,
    status: "firing",
    dedupKey: `${batch}-${i}`,
    receivedAt: batch,
  }));
}

describe("the writer thread", () => {
  it("keeps the WAL near 1,000 pages while commits never pause", async () => {
    const path = join(dir.path, "receiver.db");
    db = openDatabase(path, "full");
    writer = startInboxWriter(path, "full", db, 3_600_000);
    expect(writer.threaded, "built? npm test builds first").toBe(true);
    // 300 commits of 10 notifications of 4 KB: about 12 MB through the WAL, three times
    // the bound.
    for (let batch = 0; batch < 300; batch++) await writer.accept(records(batch), 0);
    const wal = statSync(`${path}-wal`).size;
    expect(wal).toBeGreaterThan(AUTOCHECKPOINT_PAGES * PAGE);
    expect(wal).toBeLessThan(1.5 * AUTOCHECKPOINT_PAGES * PAGE);
    const stored = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM notifications").get();
    expect(stored?.n).toBe(3000);
  });
});
