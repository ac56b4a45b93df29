import { endpointClient, SourceError, transportReason } from "./http-endpoint.js";
import type { HttpEndpoint } from "./http-endpoint.js";
import type { Labels } from "./series.js";

export interface ActiveAlert {
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly startsAt: string;
  readonly fingerprint: string;
}

export interface AlertmanagerApi {
  /**
   * Every active alert (not silenced, not inhibited). One request, joined here on the
   * topology labels: an alert on the same node may name it `node`, `instance` or
   * `Hostname`, which Alertmanager's `filter` (AND of matchers) cannot express at once.
   */
  activeAlerts(signal: AbortSignal): Promise<ActiveAlert[]>;
}

interface GettableAlert {
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly startsAt?: string;
  readonly fingerprint?: string;
}

/**
 * Alertmanager's API v2 (`GET /api/v2/alerts` with `filter` matchers), for the alerts that
 * fire beside the one being explained on the same run, model or node.
 * https://github.com/prometheus/alertmanager/blob/main/api/v2/openapi.yaml
 */
export function alertmanagerApi(endpoint: HttpEndpoint, queryTimeoutMs: number): AlertmanagerApi {
  const http = endpointClient(endpoint, queryTimeoutMs);
  return {
    async activeAlerts(signal) {
      let status: number;
      let data: unknown;
      try {
        const response = await http.get<unknown>("/api/v2/alerts", {
          params: new URLSearchParams({
            active: "true",
            silenced: "false",
            inhibited: "false",
          }),
          signal,
        });
        status = response.status;
        data = response.data;
      } catch (error) {
        throw new SourceError("alertmanager", "unavailable", transportReason(error));
      }
      if (status !== 200 || !Array.isArray(data))
        throw new SourceError(
          "alertmanager",
          status >= 500 ? "unavailable" : "bad_request",
          `HTTP ${status}`,
        );
      return (data as GettableAlert[])
        .filter((a) => a.labels && a.fingerprint && a.startsAt)
        .map((a) => ({
          labels: a.labels ?? {},
          annotations: a.annotations ?? {},
          startsAt: a.startsAt ?? "",
          fingerprint: a.fingerprint ?? "",
        }));
    },
  };
}
