import { DELIVERED } from "./delivery-outcome.js";
import type { Destination } from "./destination.js";
import { PLATFORM_LIMITS } from "./platform-limits.js";

/** Prints each message to stdout (the demo's destination); always succeeds. */
export function consoleDestination(name: string, write: (text: string) => void): Destination {
  const limits = PLATFORM_LIMITS.console;
  const text = (message: { title: string; body: string }): string =>
    `--- ${name}: ${message.title}\n${message.body.trimEnd()}\n`;
  return {
    name,
    type: "console",
    flavor: limits.flavor,
    sizeUnit: limits.sizeUnit,
    sizeLimit: limits.sizeLimit,
    measure: (message) => text(message).length,
    request: (message) => text(message),
    send: (message) => {
      write(text(message));
      return Promise.resolve(DELIVERED);
    },
  };
}
