import pg from "pg";
import type { Pool, PoolClient } from "pg";

/** BIGINT (OID 20) columns hold epoch milliseconds and row ids: well inside 2^53. */
const BIGINT_OID = 20;
const parseBigint = (value: string): number => Number(value);
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary"): unknown =>
    oid === BIGINT_OID
      ? parseBigint
      : (pg.types.getTypeParser(
          oid,
          format ?? "text",
        ) as unknown)) as typeof pg.types.getTypeParser,
};

/**
 * A pool of connections to the shared database. Its errors never crash the receiver: an
 * idle connection that breaks is reported through `onError` and replaced on next use.
 */
export function createPool(url: string, max: number, onError: (error: Error) => void): Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // A query that hangs (a lock never released, a network partition) fails instead of
    // holding a webhook's answer forever: Alertmanager then gets a 503 and retries.
    statement_timeout: 15_000,
    query_timeout: 20_000,
    application_name: "aiwatch-receiver",
  });
  pool.on("error", onError);
  return pool;
}

/** Runs `work` in one transaction on one connection; rolls back if it throws. */
export async function inTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
