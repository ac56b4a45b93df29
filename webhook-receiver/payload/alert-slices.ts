/**
 * How much alert JSON one slice holds, at most (or one alert, when that is longer): the
 * event loop decodes and parses a slice per turn. A count of alerts would not bound it:
 * 50 alerts of 48 long labels are 150 KB, a string V8 allocates outside its young
 * generation, in fresh pages, each a page fault.
 */
export const SLICE_BYTES = 16 * 1024;

const encoder = new TextEncoder();

/** The alerts as UTF-8 JSON arrays of about SLICE_BYTES each. */
export function sliceAlerts(alerts: readonly unknown[]): Uint8Array[] {
  const slices: Uint8Array[] = [];
  let parts: string[] = [];
  let length = 0;
  const flush = (): void => {
    slices.push(encoder.encode(`[${parts.join(",")}]`));
    parts = [];
    length = 0;
  };
  for (const alert of alerts) {
    const json = JSON.stringify(alert);
    if (parts.length > 0 && length + json.length > SLICE_BYTES) flush();
    parts.push(json);
    length += json.length + 1;
  }
  if (parts.length > 0) flush();
  return slices;
}
