import type { IncidentRow } from "./incident-store.js";

/** `ended`: the group fired again with new alerts and no resolved notification came. */
export type IncidentState = "firing" | "resolved" | "ended";

/** The state the list and the page show for an incident (and an earlier occurrence). */
export function incidentState(
  incident: Pick<IncidentRow, "closedAt" | "closeReason">,
): IncidentState {
  if (incident.closedAt === undefined) return "firing";
  return incident.closeReason === "resolved" ? "resolved" : "ended";
}
