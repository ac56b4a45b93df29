import type { Enrichment } from "../pipeline/enrichment.js";
import type { Alert, AlertStatus, Notification } from "../payload/notification.js";
import { escapeText, formatLink } from "./escape.js";
import type { MarkupFlavor } from "./escape.js";

/**
 * What a template sees. Every string in it is already escaped for the destination's markup
 * (links are pre-formatted), so a template cannot print untrusted text unescaped.
 */
export interface RenderContext {
  readonly status: AlertStatus;
  readonly statusText: string;
  readonly title: string;
  readonly counts: MessageCounts;
  readonly groups: readonly GroupView[];
  /** Alerts left out of the message (trimmed here or by Alertmanager's max_alerts). */
  readonly omitted: number;
  readonly isDigest: boolean;
  readonly isFollowUp: boolean;
  readonly part?: { readonly index: number; readonly total: number };
  readonly enrichment?: EnrichmentView;
}

export interface MessageCounts {
  readonly firing: number;
  readonly resolved: number;
  /** Firing now and not in the previous message of the same group to this destination. */
  readonly new: number;
  /** Firing now and already firing in the previous message. */
  readonly stillFiring: number;
}

export interface GroupView {
  readonly receiver: string;
  readonly status: AlertStatus;
  readonly statusText: string;
  readonly groupLabels: readonly LabelView[];
  readonly commonLabels: readonly LabelView[];
  readonly summary?: string;
  readonly alerts: readonly AlertView[];
  readonly omitted: number;
  readonly links: {
    readonly silence?: string;
    readonly alertmanager?: string;
    /** The group's incident page (when the receiver has an external URL). */
    readonly incident?: string;
  };
}

export interface AlertView {
  readonly status: AlertStatus;
  readonly statusText: string;
  readonly isNew: boolean;
  readonly name: string;
  readonly severity?: string;
  readonly summary?: string;
  readonly description?: string;
  /** Labels that tell alerts of the group apart (common ones are shown once, on the group). */
  readonly labels: readonly LabelView[];
  readonly startsAt: string;
  readonly endsAt?: string;
  readonly duration: string;
  /**
   * When it fired, as messages say it: "since <start> (7m0s)" while it fires, "from
   * <start> to <end> (7m0s)" once resolved.
   */
  readonly period: string;
  readonly links: { readonly runbook?: string; readonly source?: string };
}

export interface LabelView {
  readonly name: string;
  readonly value: string;
}

export interface EnrichmentView {
  readonly headline: string;
  readonly details: readonly {
    readonly label: string;
    readonly text: string;
    readonly link?: string;
  }[];
}

/** One notification as it enters rendering, with what this destination saw before. */
export interface GroupInput {
  readonly notification: Notification;
  /** Fingerprints firing in the previous message of this group to this destination. */
  readonly previouslyFiring: ReadonlySet<string>;
  readonly enrichment?: Enrichment;
  readonly incident?: IncidentLink;
}

/** The incident page a notification belongs to, and its main chart as a PNG. */
export interface IncidentLink {
  readonly url: string;
  readonly chartUrl?: string;
}

export interface ContextOptions {
  readonly flavor: MarkupFlavor;
  readonly now: Date;
  readonly isFollowUp?: boolean;
  /** Per group, the alerts (indexes into notification.alerts) to show; all when absent. */
  readonly shown?: readonly (readonly number[])[];
  /** Annotation texts longer than this are cut (used when trimming to a size limit). */
  readonly maxFieldLength?: number;
  readonly part?: { readonly index: number; readonly total: number };
  /** Per group, how many alerts other parts of the same split message show. */
  readonly elsewhere?: readonly number[];
}

const SEVERITY_LABEL = "severity";
const HIDDEN_ALERT_LABELS = new Set(["alertname", SEVERITY_LABEL]);

export function buildRenderContext(
  groups: readonly GroupInput[],
  options: ContextOptions,
): RenderContext {
  const esc = (text: string): string =>
    escapeText(cut(text, options.maxFieldLength), options.flavor);
  let firing = 0;
  let resolved = 0;
  let fresh = 0;
  let still = 0;
  let omitted = 0;
  const views = groups.map((group, groupIndex): GroupView => {
    const n = group.notification;
    const shownIndexes = options.shown?.[groupIndex] ?? n.alerts.map((_, i) => i);
    for (const alert of n.alerts) {
      if (alert.status === "firing") {
        firing++;
        if (group.previouslyFiring.has(alert.fingerprint)) still++;
        else fresh++;
      } else resolved++;
    }
    const groupOmitted =
      n.alerts.length -
      shownIndexes.length -
      (options.elsewhere?.[groupIndex] ?? 0) +
      n.truncatedAlerts;
    omitted += groupOmitted;
    const common = n.commonLabels;
    const alerts = shownIndexes
      .map((i) => n.alerts[i])
      .filter((a): a is Alert => a !== undefined)
      .map((a) => alertView(a, common, group.previouslyFiring, options, esc));
    const summary = n.commonAnnotations["summary"];
    return {
      receiver: esc(n.receiver),
      status: n.status,
      statusText: n.status.toUpperCase(),
      groupLabels: labelViews(n.groupLabels, esc),
      commonLabels: labelViews(
        Object.fromEntries(Object.entries(common).filter(([k]) => !(k in n.groupLabels))),
        esc,
      ),
      ...(summary !== undefined ? { summary: esc(summary) } : {}),
      alerts,
      omitted: groupOmitted,
      links: {
        ...groupLinks(n, options.flavor),
        ...(group.incident
          ? { incident: formatLink("Incident page", group.incident.url, options.flavor) }
          : {}),
      },
    };
  });
  const status: AlertStatus = firing > 0 ? "firing" : "resolved";
  const first = groups[0]?.notification;
  const enrichment = groups.find((g) => g.enrichment)?.enrichment;
  const isDigest = groups.length > 1;
  const title = isDigest
    ? `[DIGEST] ${groups.length} notifications: ${firing} firing, ${resolved} resolved`
    : `[${status.toUpperCase()}${status === "firing" ? `:${firing}` : ""}] ${groupName(first)}`;
  return {
    status,
    statusText: status.toUpperCase(),
    // Escaped like every other string, so a custom template may print {{title}} anywhere;
    // destinations that put it in a plain-text field (an e-mail subject) unescape it.
    title: escapeText(title, options.flavor),
    counts: { firing, resolved, new: fresh, stillFiring: still },
    groups: views,
    omitted,
    isDigest,
    isFollowUp: options.isFollowUp ?? false,
    ...(options.part ? { part: options.part } : {}),
    ...(enrichment ? { enrichment: enrichmentView(enrichment, options.flavor, esc) } : {}),
  };
}

function alertView(
  alert: Alert,
  common: Readonly<Record<string, string>>,
  previouslyFiring: ReadonlySet<string>,
  options: ContextOptions,
  esc: (text: string) => string,
): AlertView {
  const distinct = Object.fromEntries(
    Object.entries(alert.labels).filter(
      ([name, value]) => !HIDDEN_ALERT_LABELS.has(name) && common[name] !== value,
    ),
  );
  const severity = alert.labels[SEVERITY_LABEL];
  const summary = alert.annotations["summary"];
  const description = alert.annotations["description"] ?? alert.annotations["message"];
  const runbook = alert.annotations["runbook_url"];
  const end = alert.endsAt ? Date.parse(alert.endsAt) : options.now.getTime();
  const duration = humanDuration(end - Date.parse(alert.startsAt));
  return {
    status: alert.status,
    statusText: alert.status.toUpperCase(),
    isNew: alert.status === "firing" && !previouslyFiring.has(alert.fingerprint),
    name: esc(alert.labels["alertname"] ?? "(no alertname)"),
    ...(severity !== undefined ? { severity: esc(severity) } : {}),
    ...(summary !== undefined ? { summary: esc(summary) } : {}),
    ...(description !== undefined ? { description: esc(description) } : {}),
    labels: labelViews(distinct, esc),
    startsAt: alert.startsAt,
    ...(alert.endsAt ? { endsAt: alert.endsAt } : {}),
    duration,
    period: periodText(alert, duration),
    links: {
      ...(runbook && isHttpUrl(runbook)
        ? { runbook: formatLink("Runbook", runbook, options.flavor) }
        : {}),
      ...(alert.generatorURL && isHttpUrl(alert.generatorURL)
        ? { source: formatLink("Source", alert.generatorURL, options.flavor) }
        : {}),
    },
  };
}

/**
 * Links for the group: Alertmanager's UI, and a silence form pre-filled with the group's
 * labels (Alertmanager's own UI builds the same `#/silences/new?filter=` link).
 */
function groupLinks(n: Notification, flavor: MarkupFlavor): GroupView["links"] {
  if (!n.externalURL || !isHttpUrl(n.externalURL)) return {};
  const base = n.externalURL.replace(/\/+$/, "");
  const labels = Object.keys(n.groupLabels).length > 0 ? n.groupLabels : n.commonLabels;
  const filter = `{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k] ?? "")}`)
    .join(",")}}`;
  return {
    silence: formatLink(
      "Silence",
      `${base}/#/silences/new?filter=${encodeURIComponent(filter)}`,
      flavor,
    ),
    alertmanager: formatLink(
      "Alertmanager",
      `${base}/#/alerts?receiver=${encodeURIComponent(n.receiver)}`,
      flavor,
    ),
  };
}

function enrichmentView(
  enrichment: Enrichment,
  flavor: MarkupFlavor,
  esc: (text: string) => string,
): EnrichmentView {
  return {
    headline: esc(enrichment.headline),
    details: enrichment.details.map((d) => {
      const links = [
        ...(d.url ? [{ label: "details", url: d.url }] : []),
        ...(d.links ?? []),
      ].filter((l) => isHttpUrl(l.url));
      return {
        label: esc(d.label),
        text: esc(d.text),
        ...(links.length > 0
          ? { link: links.map((l) => formatLink(l.label, l.url, flavor)).join(" · ") }
          : {}),
      };
    }),
  };
}

function labelViews(
  labels: Readonly<Record<string, string>>,
  esc: (text: string) => string,
): LabelView[] {
  return Object.keys(labels)
    .sort()
    .map((name) => ({ name: esc(name), value: esc(labels[name] ?? "") }));
}

function groupName(n: Notification | undefined): string {
  if (!n) return "";
  const name = n.commonLabels["alertname"] ?? n.groupLabels["alertname"];
  const rest = Object.entries(n.groupLabels)
    .filter(([k]) => k !== "alertname")
    .map(([, v]) => v);
  return [name ?? n.receiver, ...rest].join(" ");
}

function isHttpUrl(text: string): boolean {
  return /^https?:\/\//i.test(text);
}

function cut(text: string, max: number | undefined): string {
  if (max === undefined || text.length <= max) return text;
  return `${Array.from(text).slice(0, max).join("")}…`;
}

/**
 * An alert's period in words. "since" is only for one still firing: a resolved alert
 * read "since 07:01 (7m0s)" as if it had been firing for 7 minutes and still were. A
 * resolved alert without an end (Alertmanager always sends one; a hand-made payload may
 * not) has no duration to give.
 */
export function periodText(
  alert: Pick<Alert, "status" | "startsAt" | "endsAt">,
  duration: string,
): string {
  if (alert.status === "firing") return `since ${alert.startsAt} (${duration})`;
  if (alert.endsAt === undefined) return `from ${alert.startsAt} (end not given)`;
  return `from ${alert.startsAt} to ${alert.endsAt} (${duration})`;
}

export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "0s";
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d${h}h`;
  if (h > 0) return `${h}h${m}m`;
  if (m > 0) return `${m}m${s % 60}s`;
  return `${s}s`;
}
