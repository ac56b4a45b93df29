import type { Notification } from "../payload/notification.js";
import type { Matcher } from "./matcher.js";

export interface Route {
  /** `routes[2]` or `default_route`, for logs, metrics and the preview. */
  readonly id: string;
  readonly matchers: readonly Matcher[];
  readonly destinations: readonly string[];
  readonly continue: boolean;
}

export interface RoutedDestination {
  readonly destination: string;
  readonly routeId: string;
}

/**
 * Routes a notification the way Alertmanager routes alerts, alert by alert: for each alert
 * (its labels with the group's labels over them), routes are tried in order, the first
 * match wins unless it says `continue`, and the default route takes an alert nothing
 * matched. Every destination some alert reached receives the whole group, so a critical
 * alert among warnings reaches the `severity="critical"` route, with its context. A group
 * without alerts is routed on its group and common labels. A destination named by several
 * matching routes receives the message once (under the first route that named it, whose
 * templates it is rendered with).
 */
export function routeNotification(
  notification: Notification,
  routes: readonly Route[],
  defaultRoute: Route,
): RoutedDestination[] {
  const labelSets =
    notification.alerts.length > 0
      ? notification.alerts.map((a) => ({ ...a.labels, ...notification.groupLabels }))
      : [{ ...notification.commonLabels, ...notification.groupLabels }];
  const matched = new Set<Route>();
  for (const labels of labelSets) {
    let matchedAny = false;
    for (const route of routes) {
      if (!route.matchers.every((m) => m.matches(labels))) continue;
      matchedAny = true;
      matched.add(route);
      if (!route.continue) break;
    }
    if (!matchedAny) matched.add(defaultRoute);
  }
  const out: RoutedDestination[] = [];
  const seen = new Set<string>();
  // In config order (the default route last), whichever alert reached a route first.
  for (const route of [...routes, defaultRoute]) {
    if (!matched.has(route)) continue;
    for (const destination of route.destinations) {
      if (seen.has(destination)) continue;
      seen.add(destination);
      out.push({ destination, routeId: route.id });
    }
  }
  return out;
}
