import { errorReplacer } from "./error-replacer.js";

/**
 * One record as a logfmt line (`key=value ...`), the format Prometheus and the exporters
 * built on its toolkit log in by default. A value with a space, `=`, `"` or a control
 * character is quoted with Go's escapes; an object is written as its JSON text, quoted.
 */
export function formatLogfmt(record: Record<string, unknown>): string {
  return Object.entries(record)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${logfmtKey(key)}=${logfmtValue(value)}`)
    .join(" ");
}

function logfmtKey(key: string): string {
  const cleaned = key.replace(/[\s="]/g, "_");
  return cleaned === "" ? "_" : cleaned;
}

function logfmtValue(value: unknown): string {
  let text: string;
  if (value instanceof Error) text = value.message;
  else if (typeof value === "string") text = value;
  else if (value === null || typeof value !== "object") text = String(value);
  else text = JSON.stringify(value, errorReplacer);
  return text === "" || needsQuotes(text) ? JSON.stringify(text) : text;
}

/** Spaces, `=`, quotes, backslashes and control characters need quoting. */
function needsQuotes(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f || code === 0x3d || code === 0x22 || code === 0x5c)
      return true;
  }
  return /\s/.test(text);
}
