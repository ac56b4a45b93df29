import type { SqliteDatabase } from "../store/open-database.js";
import type { ActionMethod, ActionResult } from "./action-config.js";

export interface ActionRecord {
  readonly id: number;
  readonly at: number;
  readonly notificationId: number | null;
  readonly receiver: string;
  readonly groupKey: string;
  readonly action: string;
  readonly route: string;
  readonly mode: "live" | "dry_run";
  /** `started` while a live call is in flight (or if the process died during it). */
  readonly result: ActionResult | "started";
  readonly method: ActionMethod;
  readonly target: string;
  readonly status: number | null;
  readonly detail: string | null;
  readonly durationMs: number | null;
}

type NewRecord = Omit<ActionRecord, "id" | "status" | "durationMs">;

/** Results that count as "the action ran" for rate limits and the once-per-group rule. */
const RAN = "('started', 'called', 'failed', 'dry_run')";

/**
 * The actions history, in the receiver's database (pruned with the notifications'
 * retention). Rate limits and the once-per-group rule are counted from it, so a restart
 * does not reset them.
 */
export class ActionStore {
  constructor(private readonly db: SqliteDatabase) {}

  insert(record: NewRecord): number {
    const run = this.db.transaction(
      () =>
        this.db
          .prepare(
            "INSERT INTO actions (at, notification_id, receiver, group_key, action, route, mode, result, method, target, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          )
          .run(
            record.at,
            record.notificationId,
            record.receiver,
            record.groupKey,
            record.action,
            record.route,
            record.mode,
            record.result,
            record.method,
            record.target,
            record.detail,
          ).lastInsertRowid,
    );
    return Number(run.immediate());
  }

  finish(
    id: number,
    result: ActionResult,
    status: number | undefined,
    detail: string,
    durationMs: number,
  ): void {
    this.db
      .prepare(
        "UPDATE actions SET result = ?, status = ?, detail = ?, duration_ms = ? WHERE id = ?",
      )
      .run(result, status ?? null, detail, durationMs, id);
  }

  /** How many times `action` ran in `mode` since `since`. */
  ranSince(action: string, mode: "live" | "dry_run", since: number): number {
    const row = this.db
      .prepare<[string, string, number], { n: number }>(
        `SELECT COUNT(*) AS n FROM actions WHERE action = ? AND mode = ? AND at >= ? AND result IN ${RAN}`,
      )
      .get(action, mode, since);
    return row?.n ?? 0;
  }

  /** When `action` last ran for this group in `mode` since `since`, if it did. */
  lastRunFor(
    action: string,
    receiver: string,
    groupKey: string,
    mode: "live" | "dry_run",
    since: number,
  ): number | undefined {
    const row = this.db
      .prepare<[string, string, string, string, number], { at: number | null }>(
        `SELECT MAX(at) AS at FROM actions WHERE action = ? AND receiver = ? AND group_key = ? AND mode = ? AND at >= ? AND result IN ${RAN}`,
      )
      .get(action, receiver, groupKey, mode, since);
    return row?.at ?? undefined;
  }

  since(from: number): ActionRecord[] {
    return this.db
      .prepare<[number], Record<string, unknown>>(
        "SELECT id, at, notification_id, receiver, group_key, action, route, mode, result, method, target, status, detail, duration_ms FROM actions WHERE at >= ? ORDER BY id",
      )
      .all(from)
      .map((r) => ({
        id: r["id"] as number,
        at: r["at"] as number,
        notificationId: (r["notification_id"] as number | null) ?? null,
        receiver: r["receiver"] as string,
        groupKey: r["group_key"] as string,
        action: r["action"] as string,
        route: r["route"] as string,
        mode: r["mode"] as ActionRecord["mode"],
        result: r["result"] as ActionRecord["result"],
        method: r["method"] as ActionMethod,
        target: r["target"] as string,
        status: (r["status"] as number | null) ?? null,
        detail: (r["detail"] as string | null) ?? null,
        durationMs: (r["duration_ms"] as number | null) ?? null,
      }));
  }
}
