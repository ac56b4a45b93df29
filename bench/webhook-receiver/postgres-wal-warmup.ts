import pg from "pg";

/**
 * Brings a freshly initialised PostgreSQL to the steady state of a server that has run a
 * while, as far as its write-ahead log goes. A new cluster has no WAL segments to reuse:
 * each 16 MB segment is created by writing zeros (wal_init_zero) and syncing them, about
 * 45 ms on the bench machine, and every commit waits behind it. At the bench's write rate
 * that is a stall every few seconds, which no long-running server has: its checkpoints
 * recycle old segments under new names. So the warm-up fills `max_wal_size` worth of
 * segments (one row and a segment switch each) and checkpoints, which leaves them
 * recycled for the measurement, and `recycleWal` (a checkpoint) does it again between
 * variants. The WAL's settings, fsync and synchronous_commit are left as they are.
 */
export function warmUpWal(adminUrl: string): Promise<{ segments: number; ms: number }> {
  return withClient(adminUrl, async (client) => {
    const started = performance.now();
    const sizes = await client.query<{ max_wal: string; segment: string }>(
      `SELECT pg_size_bytes(current_setting('max_wal_size')) AS max_wal,
              pg_size_bytes(current_setting('wal_segment_size')) AS segment`,
    );
    const row = sizes.rows[0];
    if (!row) throw new Error("PostgreSQL did not report max_wal_size");
    const segments = Math.floor(Number(row.max_wal) / Number(row.segment));
    await client.query("CREATE TABLE aiwatch_bench_wal_warmup (n integer)");
    for (let i = 0; i < segments; i++) {
      // A switch needs a record in the current segment, or it does nothing.
      await client.query("INSERT INTO aiwatch_bench_wal_warmup VALUES ($1)", [i]);
      await client.query("SELECT pg_switch_wal()");
    }
    await client.query("DROP TABLE aiwatch_bench_wal_warmup");
    await client.query("CHECKPOINT");
    return { segments, ms: performance.now() - started };
  });
}

/** A checkpoint: the segments written since the last one become free to reuse. */
export function recycleWal(adminUrl: string): Promise<void> {
  return withClient(adminUrl, async (client) => {
    await client.query("CHECKPOINT");
  });
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
