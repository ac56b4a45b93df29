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
 * Routes a notification the way Alertmanager routes alerts: routes are tried in order, the
 * first match wins unless it says `continue`, and the default route takes what nothing
 * matched. Matchers see the group's labels together with the labels all its alerts share.
 * A destination named by several matching routes receives the message once.
 */
export function routeNotification(
  notification: Notification,
  routes: readonly Route[],
  defaultRoute: Route,
): RoutedDestination[] {
  const labels = { ...notification.commonLabels, ...notification.groupLabels };
  const out: RoutedDestination[] = [];
  const seen = new Set<string>();
  let matchedAny = false;
  const take = (route: Route): void => {
    for (const destination of route.destinations) {
      if (seen.has(destination)) continue;
      seen.add(destination);
      out.push({ destination, routeId: route.id });
    }
  };
  for (const route of routes) {
    if (!route.matchers.every((m) => m.matches(labels))) continue;
    matchedAny = true;
    take(route);
    if (!route.continue) break;
  }
  if (!matchedAny) take(defaultRoute);
  return out;
}
