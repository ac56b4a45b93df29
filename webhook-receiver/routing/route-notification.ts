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
  const out: RoutedDestination[] = [];
  const seen = new Set<string>();
  for (const route of matchedRoutes(notification, routes, defaultRoute)) {
    for (const destination of route.destinations) {
      if (seen.has(destination)) continue;
      seen.add(destination);
      out.push({ destination, routeId: route.id });
    }
  }
  return out;
}

/**
 * Every route some alert of the notification reached, in config order (the default route
 * last), whether or not an earlier route already claimed its destinations: a route's
 * actions run for the alerts it matched even when its message went out under another.
 */
export function matchedRoutes<R extends Route>(
  notification: Notification,
  routes: readonly R[],
  defaultRoute: R,
): R[] {
  const labelSets =
    notification.alerts.length > 0
      ? notification.alerts.map((a) => ({ ...a.labels, ...notification.groupLabels }))
      : [{ ...notification.commonLabels, ...notification.groupLabels }];
  const matched = new Set<R>();
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
  return [...routes, defaultRoute].filter((route) => matched.has(route));
}
