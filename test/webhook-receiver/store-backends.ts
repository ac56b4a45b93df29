import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import type { ReceiverStore } from "../../webhook-receiver/store/receiver-store.js";
import { PostgresReceiverStore } from "../../webhook-receiver/store/postgres/postgres-receiver-store.js";
import { SqliteReceiverStore } from "../../webhook-receiver/store/sqlite-receiver-store.js";
import { databaseName, requirePostgres, startTestPostgres } from "../support/postgres.js";
import type { PostgresInstance } from "../support/postgres.js";

/**
 * The two stores the receiver's tests run against: SQLite (a file in the test's folder)
 * and PostgreSQL (a real server started once per test file, a fresh database per use).
 * Use `describe.each(storeBackends())` and call `backend.setup()` at the top level of the
 * describe block.
 */
export interface StoreBackend {
  readonly name: "sqlite" | "postgres";
  readonly available: boolean;
  /** Starts what the backend needs for this describe block (PostgreSQL: the server). */
  setup(): void;
  /** receiver.yaml's storage section for a fresh, empty store. */
  storageYaml(dir: string): Promise<string>;
  /** A fresh, empty store, opened directly (store tests). */
  open(dir: string): Promise<ReceiverStore>;
  /** Another store on the same data, as a second replica sees it (PostgreSQL only). */
  openShared?: (store: ReceiverStore, options?: SharedStoreOptions) => Promise<ReceiverStore>;
}

/** How a second replica's store connects (PostgreSQL's defaults otherwise: 4, true). */
export interface SharedStoreOptions {
  readonly maxConnections?: number;
  readonly preparedStatements?: boolean;
}

const postgres = requirePostgres();

export function storeBackends(): StoreBackend[] {
  let server: PostgresInstance | undefined;
  const urls = new WeakMap<ReceiverStore, string>();
  const sqlite: StoreBackend = {
    name: "sqlite",
    available: true,
    setup: () => undefined,
    storageYaml: (dir) =>
      Promise.resolve(`storage:\n  path: ${join(dir, "receiver.db")}\n  synchronous: normal\n`),
    open: (dir) => Promise.resolve(SqliteReceiverStore.open(join(dir, "receiver.db"), "normal")),
  };
  const pgBackend: StoreBackend = {
    name: "postgres",
    available: postgres.available,
    setup: () => {
      beforeAll(async () => {
        server = await startTestPostgres();
      });
      afterAll(async () => {
        await server?.stop();
      });
    },
    storageYaml: async (dir) => {
      if (!server) throw new Error("PostgreSQL was not started: call setup()");
      const url = await server.createDatabase(databaseName());
      // A secret, as users configure it: from a file (a mounted Kubernetes secret).
      const file = join(dir, `postgres-url-${databaseName("f")}`);
      writeFileSync(file, `${url}\n`);
      return `storage:\n  postgres:\n    url: { file: ${file} }\n`;
    },
    open: async () => {
      if (!server) throw new Error("PostgreSQL was not started: call setup()");
      const url = await server.createDatabase(databaseName());
      const store = await PostgresReceiverStore.open(url, 4);
      urls.set(store, url);
      return store;
    },
    openShared: async (store, options) => {
      const url = urls.get(store);
      if (!url) throw new Error("not a store this backend opened");
      return PostgresReceiverStore.open(
        url,
        options?.maxConnections ?? 4,
        options?.preparedStatements ?? true,
      );
    },
  };
  return [sqlite, pgBackend];
}
