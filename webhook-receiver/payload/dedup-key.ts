import { createHash } from "node:crypto";
import type { Notification } from "./notification.js";

/**
 * The idempotency key of a notification: receiver, group key, status and each alert's
 * fingerprint, status, start and (for resolved alerts) end. Alertmanager's retries and
 * both members of an HA pair produce the same key; a change in the group produces a new
 * one. `externalURL` is left out on purpose: HA peers differ only there.
 */
export function dedupKey(notification: Notification): string {
  const alerts = notification.alerts
    .map((a) => [a.fingerprint, a.status, a.startsAt, a.endsAt ?? ""].join("|"))
    .sort();
  return createHash("sha256")
    .update(
      JSON.stringify([notification.receiver, notification.groupKey, notification.status, alerts]),
    )
    .digest("hex");
}
