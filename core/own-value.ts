/**
 * `table[key]`, but only for the table's own keys: a key read from a tool's output or a
 * payload ("constructor", "__proto__", "toString") must not find Object.prototype's.
 */
export function ownValue<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
