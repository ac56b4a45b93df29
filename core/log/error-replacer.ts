/** JSON.stringify replacer: an Error becomes {name, message} (its own fields are not enumerable). */
export function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}
