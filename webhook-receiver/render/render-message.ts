import type { Destination, RenderedMessage } from "../destinations/destination.js";
import {
  createLayout,
  cutBody,
  fieldOption,
  groupsOf,
  largestFitting,
  PLACEHOLDER_PART,
  truncatedTotal,
} from "./message-layout.js";
import type { Item, Layout, PartsLayout } from "./message-layout.js";
import type { ContextOptions, GroupInput } from "./render-context.js";
import { splitAlertData } from "./split-alert-data.js";
import type { CompiledTemplates } from "./template-engine.js";

export type { Item };
export { groupsOf, priorityOrder } from "./message-layout.js";

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
  /** Per part, the alerts it carries (group and alert index), in the order of `parts`. */
  readonly partAlerts: readonly (readonly Item[])[];
  /**
   * Per part, the groups as the part's request carries them: each notification with only
   * the alerts of that part (a destination that sends the alerts as data sends each once).
   */
  readonly partGroups: readonly (readonly GroupInput[])[];
  /** Alerts in no part (trimmed here or by Alertmanager). */
  readonly omitted: number;
  readonly trimmed: boolean;
  readonly usedFallback: boolean;
  readonly templateError?: string;
}

/**
 * Renders a delivery within the destination's size limit, measured on the whole request
 * of each part, by priority: firing before resolved, critical before warning before info,
 * older before newer. A chat message that cannot hold everything shows as many alerts as
 * fit with "+N more"; only if the rate budget allows several messages is the list split
 * into parts. A destination that sends the alerts as data gets every alert, in as many
 * parts as its limit needs (split-alert-data.ts). If even the header does not fit (a huge
 * annotation), long fields are cut, and as a last resort the body itself.
 */
export function renderMessage(request: RenderRequest): RenderResult {
  const layout = createLayout(request);
  const laid =
    request.destination.sendsAlertData === true
      ? splitAlertData(layout)
      : splitText(layout, Math.max(1, request.maxParts ?? 1));
  return {
    parts: laid.parts,
    partAlerts: laid.partAlerts,
    partGroups: laid.partAlerts.map((chunk) => groupsOf(request.groups, chunk)),
    omitted: laid.left + truncatedTotal(request.groups),
    trimmed: laid.trimmed,
    usedFallback: layout.fallback.used,
    ...(layout.fallback.error !== undefined ? { templateError: layout.fallback.error } : {}),
  };
}

/** Chat: the message's text is what the limit is spent on. */
function splitText(layout: Layout, maxParts: number): PartsLayout {
  const { items, sentItems, offset } = layout;
  const wholeOptions: Partial<ContextOptions> =
    offset === 0
      ? {}
      : {
          part: { index: offset + 1, total: offset + 1 },
          elsewhere: layout.countPerGroup(sentItems),
        };
  const probes = new Map<number, RenderedMessage>();
  const renderWhole = (k: number): RenderedMessage => {
    const message = probes.get(k) ?? layout.render(items.slice(0, k), wholeOptions);
    probes.set(k, message);
    return message;
  };
  // Probing prefixes finds whether all fits without rendering all when it does not.
  const fitting = largestFitting(items.length, (k) =>
    layout.fits(renderWhole(k), items.slice(0, k)),
  );
  const whole = fitting === items.length ? renderWhole(items.length) : undefined;
  if (whole && (items.length > 0 || layout.fits(whole, [])))
    return { parts: [whole], partAlerts: [items], left: 0, trimmed: false };

  const chunks: Item[][] = [];
  let rest = items;
  let fieldLimit: number | undefined;
  // Sized with a part number as wide as any, so the real one never pushes a part over.
  const probePart = maxParts > 1 ? { part: PLACEHOLDER_PART } : {};
  while (rest.length > 0 && chunks.length < maxParts) {
    const candidates = rest;
    const take = largestFitting(candidates.length, (k) =>
      layout.fits(
        layout.render(candidates.slice(0, k), { ...fieldOption(fieldLimit), ...probePart }),
        candidates.slice(0, k),
      ),
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
    parts.push(
      cutBody(layout.render([], fieldOption(fieldLimit ?? 60)), (m) => layout.fits(m, [])),
    );
  } else {
    chunks.forEach((chunk, i) => {
      const elsewhere = [...sentItems, ...chunks.filter((_, j) => j !== i).flat()];
      const message = layout.render(chunk, {
        ...fieldOption(fieldLimit),
        ...(total > 1 ? { part: { index: offset + i + 1, total } } : {}),
        elsewhere: layout.countPerGroup(elsewhere),
      });
      const fitsChunk = (m: RenderedMessage): boolean => layout.fits(m, chunk);
      parts.push(fitsChunk(message) ? message : cutBody(message, fitsChunk));
    });
  }
  return {
    parts,
    partAlerts: chunks.length === 0 ? [[]] : chunks,
    left: rest.length,
    trimmed: true,
  };
}
