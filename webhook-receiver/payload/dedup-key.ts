import { createHash } from "node:crypto";
import { labelSetFingerprint } from "./fingerprint.js";
import type { Notification } from "./notification.js";

/**
 * The idempotency key of a notification: receiver, group key, status and each alert's
 * label set, status, start and (for resolved alerts) end. Alertmanager's retries and
 * both members of an HA pair produce the same key; a change in the group produces a new
 * one. `externalURL` is left out on purpose: HA peers differ only there. The label set
 * counts by its fingerprint as Alertmanager computes it, not by the one the sender wrote:
 * for Alertmanager's own payloads they are the same, but hand-made and bridged payloads
 * reuse one fingerprint for different alerts (prom2teams' examples do), and those would
 * be dropped as duplicates.
 */
export function dedupKey(notification: Notification): string {
  const alerts = notification.alerts
    .map((a) => [labelSetFingerprint(a.labels), a.status, a.startsAt, a.endsAt ?? ""].join("|"))
    .sort();
  return createHash("sha256")
    .update(
      JSON.stringify([notification.receiver, notification.groupKey, notification.status, alerts]),
    )
    .digest("hex");
}
