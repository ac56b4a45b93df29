import type { Destination, RenderedMessage, SendContext } from "../destinations/destination.js";
import type { Alert } from "../payload/notification.js";
import { buildRenderContext } from "./render-context.js";
import type { ContextOptions, GroupInput, RenderContext } from "./render-context.js";
import type { CompiledTemplates } from "./template-engine.js";

export interface RenderRequest {
  readonly destination: Destination;
  /** The route's override for this destination type, or the built-in templates. */
  readonly templates: CompiledTemplates;
  /** Built-in templates, used when `templates` throws at runtime. */
  readonly fallback: CompiledTemplates;
  readonly groups: readonly GroupInput[];
  readonly now: Date;
  readonly idempotencyKey: string;
  readonly isFollowUp?: boolean;
  /** How many messages the rate budget allows for this delivery (1 = never split). */
  readonly maxParts?: number;
  /** Smaller than the destination's limit after the platform answered "too large". */
  readonly sizeLimit?: number;
  /**
   * Resuming a split message: the indexes of the first group's alerts that parts already
   * sent show, and how many parts that was. Only the other alerts are laid out again (the
   * earlier layout may no longer hold after a shrink), numbered after the parts sent.
   */
  readonly resume?: { readonly sentAlerts: readonly number[]; readonly partsSent: number };
}

export interface RenderResult {
  readonly parts: readonly RenderedMessage[];
  /** Per part, the alerts it shows (group and alert index), in the order of `parts`. */
  readonly partAlerts: readonly (readonly Item[])[];
  /** Alerts in no part (trimmed here or by Alertmanager). */
  readonly omitted: number;
  readonly trimmed: boolean;
  readonly usedFallback: boolean;
  readonly templateError?: string;
}

export type Item = { readonly group: number; readonly index: number };

/**
 * Renders a delivery within the destination's size limit, by priority: firing before
 * resolved, critical before warning before info, older before newer. When everything does
 * not fit, as many alerts as fit are shown with "+N more"; only if the rate budget allows
 * several messages is the list split into parts. If even the header does not fit (a huge
 * annotation), long fields are cut, and as a last resort the body itself.
 */
export function renderMessage(request: RenderRequest): RenderResult {
  const limit = request.sizeLimit ?? request.destination.sizeLimit;
  const sendContext: SendContext = {
    idempotencyKey: request.idempotencyKey,
    groups: request.groups,
    now: request.now.getTime(),
  };
  let usedFallback = false;
  let templateError: string | undefined;
  const renderWith = (context: RenderContext): RenderedMessage => {
    try {
      return {
        title: request.templates.title(context).trim(),
        body: tidy(request.templates.body(context)),
      };
    } catch (error) {
      usedFallback = true;
      templateError = (error as Error).message;
      return {
        title: request.fallback.title(context).trim(),
        body: tidy(request.fallback.body(context)),
      };
    }
  };
  const fits = (message: RenderedMessage): boolean =>
    request.destination.measure(message, sendContext) <= limit;
  const base: ContextOptions = {
    flavor: request.destination.flavor,
    now: request.now,
    isFollowUp: request.isFollowUp ?? false,
  };
  const sent = new Set(request.resume?.sentAlerts ?? []);
  const isSent = (item: Item): boolean => item.group === 0 && sent.has(item.index);
  const ordered = priorityOrder(request.groups);
  const items = ordered.filter((item) => !isSent(item));
  const sentItems = ordered.filter(isSent);
  const offset = request.resume?.partsSent ?? 0;
  const renderItems = (
    shown: readonly Item[],
    extra: Partial<ContextOptions> = {},
  ): RenderedMessage =>
    renderWith(
      buildRenderContext(request.groups, {
        ...base,
        ...extra,
        shown: toShown(request.groups, shown),
      }),
    );

  const whole =
    offset === 0
      ? renderItems(items)
      : renderItems(items, {
          part: { index: offset + 1, total: offset + 1 },
          elsewhere: toShown(request.groups, sentItems).map((g) => g.length),
        });
  if (fits(whole))
    return {
      parts: [whole],
      partAlerts: [items],
      omitted: truncatedTotal(request.groups),
      trimmed: false,
      usedFallback,
      ...(templateError ? { templateError } : {}),
    };

  const maxParts = Math.max(1, request.maxParts ?? 1);
  const chunks: Item[][] = [];
  let rest = items;
  let fieldLimit: number | undefined;
  while (rest.length > 0 && chunks.length < maxParts) {
    const take = largestFitting(rest, (k) =>
      fits(renderItems(rest.slice(0, k), fieldOption(fieldLimit))),
    );
    if (take === 0) {
      // Not even one alert fits: cut long fields before giving up on structure.
      if (fieldLimit === undefined) fieldLimit = 400;
      else if (fieldLimit > 60) fieldLimit = 60;
      else break;
      continue;
    }
    chunks.push(rest.slice(0, take));
    rest = rest.slice(take);
  }
  const total = offset + Math.max(1, chunks.length);
  const parts: RenderedMessage[] = [];
  if (chunks.length === 0) {
    parts.push(cutBody(renderItems([], fieldOption(fieldLimit ?? 60)), fits));
  } else {
    chunks.forEach((chunk, i) => {
      const elsewhere = [...sentItems, ...chunks.filter((_, j) => j !== i).flat()];
      const message = renderItems(chunk, {
        ...fieldOption(fieldLimit),
        ...(total > 1 ? { part: { index: offset + i + 1, total } } : {}),
        elsewhere: toShown(request.groups, elsewhere).map((g) => g.length),
      });
      parts.push(fits(message) ? message : cutBody(message, fits));
    });
  }
  return {
    parts,
    partAlerts: chunks.length === 0 ? [[]] : chunks,
    omitted: rest.length + truncatedTotal(request.groups),
    trimmed: true,
    usedFallback,
    ...(templateError ? { templateError } : {}),
  };
}

function fieldOption(limit: number | undefined): Partial<ContextOptions> {
  return limit === undefined ? {} : { maxFieldLength: limit };
}

/** Largest k in [0, n] with fitsK(k), assuming fitting is monotone in k. */
function largestFitting(items: readonly Item[], fitsK: (k: number) => boolean): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fitsK(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** Last resort: the longest body prefix that fits, ending in an ellipsis. */
function cutBody(message: RenderedMessage, fits: (m: RenderedMessage) => boolean): RenderedMessage {
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
  const items: (Item & { alert: Alert })[] = [];
  groups.forEach((g, group) =>
    g.notification.alerts.forEach((alert, index) => items.push({ group, index, alert })),
  );
  const rank = (a: Alert): number => SEVERITY_RANK[a.labels["severity"] ?? ""] ?? 4;
  items.sort(
    (x, y) =>
      (x.alert.status === "firing" ? 0 : 1) - (y.alert.status === "firing" ? 0 : 1) ||
      rank(x.alert) - rank(y.alert) ||
      Date.parse(x.alert.startsAt) - Date.parse(y.alert.startsAt) ||
      x.group - y.group ||
      x.index - y.index,
  );
  return items.map(({ group, index }) => ({ group, index }));
}

/** Per group, the shown alert indexes in the group's own order. */
function toShown(groups: readonly GroupInput[], items: readonly Item[]): number[][] {
  const shown = groups.map(() => [] as number[]);
  for (const item of items) shown[item.group]?.push(item.index);
  return shown.map((indexes) => indexes.sort((a, b) => a - b));
}

function truncatedTotal(groups: readonly GroupInput[]): number {
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
