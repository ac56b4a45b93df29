/**
 * RFC 3339 date-times as Alertmanager writes them (Go's time.RFC3339Nano): a date, `T`,
 * a time with an optional fraction of up to nine digits, and `Z` or an offset. Date.parse
 * alone reads "2024" or a time without a zone (taken as local time) too.
 */
const RFC_3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$/;

export function isRfc3339(text: string): boolean {
  return RFC_3339.test(text) && !Number.isNaN(Date.parse(text));
}
