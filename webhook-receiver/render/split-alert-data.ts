import type { RenderedMessage } from "../destinations/destination.js";
import { cutBody, fieldOption, largestFitting, PLACEHOLDER_PART } from "./message-layout.js";
import type { Item, Layout, PartsLayout } from "./message-layout.js";

/**
 * Most alerts one part's text lists. The text is for people (an SMS, a chat bridge); the
 * data carries every alert. Listing thousands would also cost seconds of rendering.
 */
export const TEXT_ALERTS_PER_PART = 50;

/**
 * A destination that sends the alerts as data (the generic webhook): every alert is
 * delivered, in `notifications[]` chunks that keep each whole request within the limit.
 * Each part's text lists its first alerts (up to TEXT_ALERTS_PER_PART, fewer if they do
 * not fit) and counts the rest; the part is then filled with as many more alerts as the
 * bytes left allow, by priority. Sizes come from each alert's own JSON, so thousands of
 * alerts are laid out with a handful of renders. An alert too large even alone still goes,
 * alone: the platform decides, and its "too large" answer is handled like any other.
 */
export function splitAlertData(layout: Layout): PartsLayout {
  const { items, sentItems, offset, limit } = layout;
  // Nearly every delivery (one notification, or a digest of many) fits in one request:
  // rendered and measured once, as the layout below would end up sending it, without
  // sizing every alert and probing with a placeholder part number first.
  if (offset === 0 && sentItems.length === 0 && items.length > 0) {
    const whole = layout.render(items.slice(0, TEXT_ALERTS_PER_PART), {
      elsewhere: layout.countPerGroup([]),
    });
    if (layout.fits(whole, items))
      return { parts: [whole], partAlerts: [items], left: 0, trimmed: false };
  }
  const sizes = items.map((item) => layout.dataSize(item));
  const sizeOfItem = new Map(items.map((item, i) => [item, sizes[i] ?? 0]));
  const sizesOf = (list: readonly Item[]): number =>
    list.reduce((sum, item) => sum + (sizeOfItem.get(item) ?? layout.dataSize(item)), 0);
  const chunks: Item[][] = [];
  const shownCounts: number[] = [];
  let fieldLimit: number | undefined;
  let start = 0;
  while (start < items.length) {
    const rest = items.slice(start);
    let shown = 0;
    let budget = 0;
    for (;;) {
      // The widest text the part can have: its own number unknown yet, every other alert
      // counted in "+N more". Each size is rendered and measured once.
      const sized = new Map<number, number>();
      const sizeFor = (k: number): number => {
        let size = sized.get(k);
        if (size === undefined) {
          const text = layout.render(rest.slice(0, k), {
            ...fieldOption(fieldLimit),
            part: PLACEHOLDER_PART,
          });
          size = layout.measure(text, rest.slice(0, k));
          sized.set(k, size);
        }
        return size;
      };
      const most = Math.min(TEXT_ALERTS_PER_PART, rest.length);
      // Usually the whole list fits beside the data: one render instead of a search.
      const fitting =
        sizeFor(most) <= limit ? most : largestFitting(most - 1, (k) => sizeFor(k) <= limit);
      if (fitting > 0) {
        shown = fitting;
        budget = limit - sizeFor(fitting);
        break;
      }
      if (fieldLimit === undefined) fieldLimit = 400;
      else if (fieldLimit > 60) fieldLimit = 60;
      else {
        shown = 1;
        budget = 0;
        break;
      }
    }
    let take = shown;
    for (let size = sizes[start + take]; size !== undefined && size <= budget;) {
      budget -= size;
      take++;
      size = sizes[start + take];
    }
    chunks.push(rest.slice(0, take));
    shownCounts.push(shown);
    start += take;
  }
  if (chunks.length === 0) {
    const message = layout.render([], fieldOption(fieldLimit));
    const fitsEmpty = (m: RenderedMessage): boolean => layout.fits(m, []);
    return {
      parts: [fitsEmpty(message) ? message : cutBody(message, fitsEmpty)],
      partAlerts: [[]],
      left: 0,
      trimmed: false,
    };
  }
  const total = offset + chunks.length;
  const split = total > 1;
  const parts = chunks.map((chunk, i) => {
    const elsewhere = [...sentItems, ...chunks.filter((_, j) => j !== i).flat()];
    const message = layout.render(chunk.slice(0, shownCounts[i] ?? 1), {
      ...fieldOption(fieldLimit),
      ...(split ? { part: { index: offset + i + 1, total } } : {}),
      elsewhere: layout.countPerGroup(elsewhere),
    });
    // Sized above with the widest text; a text that still does not fit is cut, the data
    // never is. Within one group, the alerts beyond those listed add exactly their sizes:
    // measured with the listed ones only, not by serialising a megabyte again.
    const listed = chunk.slice(0, shownCounts[i] ?? 1);
    const extra = sizesOf(chunk.slice(listed.length));
    const oneGroup = chunk.every((item) => item.group === chunk[0]?.group);
    const fitsChunk = (m: RenderedMessage): boolean =>
      oneGroup && listed.length > 0
        ? layout.measure(m, listed) + extra <= limit
        : layout.fits(m, chunk);
    return fitsChunk(message) || chunk.length === 1 ? message : cutBody(message, fitsChunk);
  });
  return {
    parts,
    partAlerts: chunks,
    left: 0,
    // Split, but nothing left out: only cut fields count as trimmed.
    trimmed: fieldLimit !== undefined,
  };
}
