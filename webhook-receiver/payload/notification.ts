/**
 * One Alertmanager notification after normalisation: the shape every later stage works on.
 * It is a different type from the wire payload (payload-schema.ts) so Alertmanager's quirks
 * are dealt with once, at the edge.
 */
export type AlertStatus = "firing" | "resolved";

export interface Alert {
  readonly status: AlertStatus;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** RFC 3339 with millisecond precision. */
  readonly startsAt: string;
  /** Undefined for firing alerts: Alertmanager sends a zero or a moving future time there. */
  readonly endsAt?: string;
  readonly generatorURL?: string;
  /** Alertmanager's label-set fingerprint, computed when the payload lacks it. */
  readonly fingerprint: string;
}

export interface Notification {
  readonly receiver: string;
  readonly status: AlertStatus;
  readonly groupKey: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly commonLabels: Readonly<Record<string, string>>;
  readonly commonAnnotations: Readonly<Record<string, string>>;
  readonly externalURL?: string;
  /** Alerts Alertmanager left out because of `max_alerts`. */
  readonly truncatedAlerts: number;
  readonly alerts: readonly Alert[];
}
