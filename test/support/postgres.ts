import { findPostgresBinaries, startPostgres } from "../../core/process/postgres-process.js";
import type { PostgresInstance } from "../../core/process/postgres-process.js";
import { makeTempDir } from "./temp-dir.js";

export type { PostgresInstance };

const inCi = process.env["CI"] === "true";

/**
 * Whether PostgreSQL is installed. Missing: tests on it skip with a visible notice, and
 * fail under CI=true (CI must prove the shared store, never silently skip it).
 */
export function requirePostgres(): { readonly available: boolean } {
  if (findPostgresBinaries()) return { available: true };
  const message =
    "missing PostgreSQL (initdb, pg_ctl): run scripts/install-deps.sh (Debian package postgresql)";
  if (inCi) throw new Error(`CI=true and ${message}`);
  console.warn(`SKIPPED: ${message}`);
  return { available: false };
}

/** A PostgreSQL for one test file, in a temp folder removed on stop; fsync off (fast). */
export async function startTestPostgres(): Promise<PostgresInstance> {
  const dir = makeTempDir("postgres");
  try {
    const instance = await startPostgres({ dir: dir.path, durable: false });
    return {
      ...instance,
      stop: async () => {
        await instance.stop();
        dir.remove();
      },
    };
  } catch (error) {
    dir.remove();
    throw error;
  }
}

let databases = 0;

/** A fresh database name, unique within the process. */
export function databaseName(prefix = "t"): string {
  return `${prefix}_${process.pid}_${++databases}`;
}
