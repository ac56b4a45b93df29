/** "1 alert", "3 alerts": a count with its noun, as messages and incident pages write it. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
