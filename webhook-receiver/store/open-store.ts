import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { StorageConfig } from "../config/receiver-config.js";
import type { startInboxWriter } from "./inbox-writer.js";
import type { ReceiverStore } from "./receiver-store.js";
import { SqliteReceiverStore } from "./sqlite-receiver-store.js";

/** Opens the configured store: a SQLite file, or the PostgreSQL database replicas share. */
export async function openReceiverStore(
  storage: StorageConfig,
  startWriter?: typeof startInboxWriter,
): Promise<ReceiverStore> {
  if (storage.kind === "sqlite")
    return SqliteReceiverStore.open(storage.path, storage.synchronous, startWriter);
  const { PostgresReceiverStore } = await import("./postgres/postgres-receiver-store.js");
  return PostgresReceiverStore.open(
    storage.url,
    storage.maxConnections,
    storage.preparedStatements,
  );
}

/**
 * This process as the holder of claims and leases: the host (a pod's name on Kubernetes),
 * the pid and a random part, so a restarted process never mistakes its predecessor's
 * claims for its own.
 */
export function processOwner(): string {
  return `${hostname()}/${process.pid}/${randomBytes(4).toString("hex")}`;
}
