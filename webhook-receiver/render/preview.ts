import { builtinTemplates } from "../config/load-config.js";
import type { ReceiverConfig } from "../config/receiver-config.js";
import type { Destination } from "../destinations/destination.js";
import type { Notification } from "../payload/notification.js";
import { routeNotification } from "../routing/route-notification.js";
import { renderMessage } from "./render-message.js";

export interface PreviewEntry {
  readonly destination: string;
  readonly type: string;
  readonly route: string;
  /** What would be sent: the request body (JSON) or the text. */
  readonly requests: readonly unknown[];
  readonly trimmed: boolean;
  readonly omitted: number;
}

/** What each routed destination would receive for a notification, without sending. */
export function previewNotification(
  notification: Notification,
  config: ReceiverConfig,
  destinations: ReadonlyMap<string, Destination>,
  now: Date,
): PreviewEntry[] {
  return routeNotification(notification, config.routes, config.defaultRoute).flatMap((routed) => {
    const destination = destinations.get(routed.destination);
    if (!destination) return [];
    const route =
      routed.routeId === config.defaultRoute.id
        ? config.defaultRoute
        : config.routes.find((r) => r.id === routed.routeId);
    const groups = [{ notification, previouslyFiring: new Set<string>() }];
    const idempotencyKey = "preview";
    const result = renderMessage({
      destination,
      templates: route?.templates[destination.type] ?? builtinTemplates(destination.type),
      fallback: builtinTemplates(destination.type),
      groups,
      now,
      idempotencyKey,
      maxParts: config.destinations.find((d) => d.name === destination.name)?.maxSplit ?? 1,
    });
    return [
      {
        destination: destination.name,
        type: destination.type,
        route: routed.routeId,
        requests: result.parts.map((part, i) =>
          destination.request(part, {
            idempotencyKey:
              result.parts.length > 1 ? `${idempotencyKey}-part${i + 1}` : idempotencyKey,
            groups: result.partGroups[i] ?? groups,
            now: now.getTime(),
            ...(result.parts.length > 1
              ? { part: { index: i + 1, total: result.parts.length } }
              : {}),
          }),
        ),
        trimmed: result.trimmed,
        omitted: result.omitted,
      },
    ];
  });
}
