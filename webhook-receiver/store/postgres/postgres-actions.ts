import type { Pool } from "pg";
import type { ActionRecord } from "../../actions/action-store.js";
import type { ActionHistory } from "../receiver-store.js";

/** Results that count as "the action ran" (as action-store.ts). */
const RAN = "('started', 'called', 'failed', 'dry_run')";

/** The actions history in PostgreSQL: rate limits and cooldowns count every replica's runs. */
export function postgresActions(pool: Pool): ActionHistory {
  return {
    insert: async (r) => {
      const result = await pool.query<{ id: number }>(
        "INSERT INTO actions (at, notification_id, receiver, group_key, action, route, mode, result, method, target, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        [
          r.at,
          r.notificationId,
          r.receiver,
          r.groupKey,
          r.action,
          r.route,
          r.mode,
          r.result,
          r.method,
          r.target,
          r.detail,
        ],
      );
      return result.rows[0]?.id ?? 0;
    },
    finish: async (id, result, status, detail, durationMs) => {
      await pool.query(
        "UPDATE actions SET result = $2, status = $3, detail = $4, duration_ms = $5 WHERE id = $1",
        [id, result, status ?? null, detail, durationMs],
      );
    },
    ranSince: async (action, mode, since) => {
      const result = await pool.query<{ n: number }>(
        `SELECT COUNT(*)::int AS n FROM actions WHERE action = $1 AND mode = $2 AND at >= $3 AND result IN ${RAN}`,
        [action, mode, since],
      );
      return result.rows[0]?.n ?? 0;
    },
    lastRunFor: async (action, receiver, groupKey, mode, since) => {
      const result = await pool.query<{ at: number | null }>(
        `SELECT MAX(at) AS at FROM actions WHERE action = $1 AND receiver = $2 AND group_key = $3 AND mode = $4 AND at >= $5 AND result IN ${RAN}`,
        [action, receiver, groupKey, mode, since],
      );
      return result.rows[0]?.at ?? undefined;
    },
    since: async (from) => {
      const result = await pool.query<Record<string, unknown>>(
        "SELECT id, at, notification_id, receiver, group_key, action, route, mode, result, method, target, status, detail, duration_ms FROM actions WHERE at >= $1 ORDER BY id",
        [from],
      );
      return result.rows.map((r): ActionRecord => ({
        id: r["id"] as number,
        at: r["at"] as number,
        notificationId: (r["notification_id"] as number | null) ?? null,
        receiver: r["receiver"] as string,
        groupKey: r["group_key"] as string,
        action: r["action"] as string,
        route: r["route"] as string,
        mode: r["mode"] as ActionRecord["mode"],
        result: r["result"] as ActionRecord["result"],
        method: r["method"] as ActionRecord["method"],
        target: r["target"] as string,
        status: (r["status"] as number | null) ?? null,
        detail: (r["detail"] as string | null) ?? null,
        durationMs: (r["duration_ms"] as number | null) ?? null,
      }));
    },
  };
}
