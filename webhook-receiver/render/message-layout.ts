import type { RenderedMessage } from "../destinations/destination.js";
import type { Alert } from "../payload/notification.js";
import { measureText } from "./measure.js";
import { buildRenderContext } from "./render-context.js";
import type { ContextOptions, GroupInput, RenderContext } from "./render-context.js";
import type { RenderRequest } from "./render-message.js";

export type Item = { readonly group: number; readonly index: number };

/**
 * What laying a delivery out needs: rendering a choice of alerts with the route's
 * templates (falling back to the built-in ones when a custom template throws), and
 * measuring a rendered part the way its request will be sent, with the part's alerts as
 * data. Rendering is the expensive step: the split strategies render as few alerts as
 * they can.
 */
export interface Layout {
  readonly limit: number;
  /** Alerts of the delivery by priority, those parts already sent excluded. */
  readonly items: readonly Item[];
  /** Alerts parts already sent carry (a resumed split). */
  readonly sentItems: readonly Item[];
  /** Parts already sent. */
  readonly offset: number;
  render(shown: readonly Item[], extra?: Partial<ContextOptions>): RenderedMessage;
  /** The whole request of a part showing `message` and carrying `data` as alerts. */
  measure(message: RenderedMessage, data: readonly Item[]): number;
  fits(message: RenderedMessage, data: readonly Item[]): boolean;
  /** Per group, how many of `items` it has. */
  countPerGroup(items: readonly Item[]): number[];
  /**
   * What carrying one more alert as data adds to a request: its JSON and a comma. Sizes add
   * up exactly, since a JSON array is its elements joined by commas.
   */
  dataSize(item: Item): number;
  readonly fallback: { used: boolean; error?: string };
}

/** The layout of a delivery: which alerts go into which part, and the parts' text. */
export interface PartsLayout {
  readonly parts: readonly RenderedMessage[];
  readonly partAlerts: readonly (readonly Item[])[];
  /** Alerts in no part, Alertmanager's truncation aside. */
  readonly left: number;
  readonly trimmed: boolean;
}

export function fieldOption(limit: number | undefined): Partial<ContextOptions> {
  return limit === undefined ? {} : { maxFieldLength: limit };
}

/** The part numbers sizes are measured with: as wide as any real one. */
export const PLACEHOLDER_PART = { index: 999_999, total: 999_999 } as const;

export function createLayout(request: RenderRequest): Layout {
  const limit = request.sizeLimit ?? request.destination.sizeLimit;
  // Measured with the longest key a part can carry (`-part<n>` is added when split), so a
  // part that fits here still fits with its real key.
  const measuredKey = `${request.idempotencyKey}-part${"9".repeat(6)}`;
  const fallback: Layout["fallback"] = { used: false };
  const renderWith = (context: RenderContext): RenderedMessage => {
    try {
      return {
        title: request.templates.title(context).trim(),
        body: tidy(request.templates.body(context)),
      };
    } catch (error) {
      fallback.used = true;
      fallback.error = (error as Error).message;
      return {
        title: request.fallback.title(context).trim(),
        body: tidy(request.fallback.body(context)),
      };
    }
  };
  const base: ContextOptions = {
    flavor: request.destination.flavor,
    now: request.now,
    isFollowUp: request.isFollowUp ?? false,
  };
  const sent = new Set(request.resume?.sentAlerts ?? []);
  const isSent = (item: Item): boolean => item.group === 0 && sent.has(item.index);
  const ordered = priorityOrder(request.groups);
  const measure = (message: RenderedMessage, data: readonly Item[]): number =>
    request.destination.measure(message, {
      idempotencyKey: measuredKey,
      groups: groupsOf(request.groups, data),
      now: request.now.getTime(),
      part: PLACEHOLDER_PART,
    });
  return {
    limit,
    items: ordered.filter((item) => !isSent(item)),
    sentItems: ordered.filter(isSent),
    offset: request.resume?.partsSent ?? 0,
    render: (shown, extra = {}) =>
      renderWith(
        buildRenderContext(request.groups, {
          ...base,
          ...extra,
          shown: toShown(request.groups, shown),
        }),
      ),
    measure,
    fits: (message, data) => measure(message, data) <= limit,
    countPerGroup: (items) => toShown(request.groups, items).map((g) => g.length),
    dataSize: (item) =>
      measureText(
        JSON.stringify(request.groups[item.group]?.notification.alerts[item.index] ?? null),
        request.destination.sizeUnit,
      ) + 1,
    fallback,
  };
}

/**
 * The largest k in [0, n] with fitsK(k), fitting being monotone in k. Probes grow from 1
 * (1, 2, 4, ...) before halving, so the work follows the answer, not n: a 6,000-alert
 * group of which 40 fit a chat message renders a few hundred alerts, not thousands.
 */
export function largestFitting(n: number, fitsK: (k: number) => boolean): number {
  if (n === 0) return 0;
  let good = 0;
  let probe = 1;
  for (;;) {
    if (!fitsK(probe)) break;
    good = probe;
    if (probe === n) return n;
    probe = Math.min(n, probe * 2);
  }
  let low = good;
  let high = probe - 1;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fitsK(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** Last resort: the longest body prefix that fits, ending in an ellipsis. */
export function cutBody(
  message: RenderedMessage,
  fits: (m: RenderedMessage) => boolean,
): RenderedMessage {
  const chars = Array.from(message.body);
  let low = 0;
  let high = chars.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits({ title: message.title, body: `${chars.slice(0, mid).join("")}…` })) low = mid;
    else high = mid - 1;
  }
  return { title: message.title, body: `${chars.slice(0, low).join("")}…` };
}

const SEVERITY_RANK: Readonly<Record<string, number>> = {
  critical: 0,
  page: 0,
  error: 1,
  high: 1,
  warning: 2,
  info: 3,
};

export function priorityOrder(groups: readonly GroupInput[]): Item[] {
  const items: (Item & { alert: Alert; starts: number })[] = [];
  groups.forEach((g, group) =>
    g.notification.alerts.forEach((alert, index) =>
      items.push({ group, index, alert, starts: Date.parse(alert.startsAt) }),
    ),
  );
  const rank = (a: Alert): number => SEVERITY_RANK[a.labels["severity"] ?? ""] ?? 4;
  items.sort(
    (x, y) =>
      (x.alert.status === "firing" ? 0 : 1) - (y.alert.status === "firing" ? 0 : 1) ||
      rank(x.alert) - rank(y.alert) ||
      x.starts - y.starts ||
      x.group - y.group ||
      x.index - y.index,
  );
  return items.map(({ group, index }) => ({ group, index }));
}

/**
 * The groups as a request carrying `items` has them: each notification with only those of
 * its alerts, in its own order. A group none of whose alerts is carried keeps none.
 */
export function groupsOf(groups: readonly GroupInput[], items: readonly Item[]): GroupInput[] {
  const shown = toShown(groups, items);
  return groups.map((g, i) => {
    const indexes = shown[i] ?? [];
    if (indexes.length === g.notification.alerts.length) return g;
    return {
      ...g,
      notification: {
        ...g.notification,
        alerts: indexes
          .map((index) => g.notification.alerts[index])
          .filter((a): a is Alert => a !== undefined),
      },
    };
  });
}

/** Per group, the shown alert indexes in the group's own order. */
export function toShown(groups: readonly GroupInput[], items: readonly Item[]): number[][] {
  const shown = groups.map(() => [] as number[]);
  for (const item of items) shown[item.group]?.push(item.index);
  return shown.map((indexes) => indexes.sort((a, b) => a - b));
}

export function truncatedTotal(groups: readonly GroupInput[]): number {
  return groups.reduce((n, g) => n + g.notification.truncatedAlerts, 0);
}

/** Collapses the blank lines template control flow leaves behind. */
function tidy(text: string): string {
  return (
    text
      .replace(/[ \t]+\n/g, "\n")
      .replace(/\n{3,}/g, "\n\n")
      .trim() + "\n"
  );
}
