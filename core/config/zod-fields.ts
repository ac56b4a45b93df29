import { z } from "zod";
import { DURATION_SYNTAX_HINT, parseDuration } from "../duration.js";

/** A Prometheus duration string, reported as `bad-duration` when malformed. */
export function durationField() {
  return z
    .string({ error: `expected ${DURATION_SYNTAX_HINT}` })
    .refine((text) => parseDuration(text) !== undefined, {
      message: `expected ${DURATION_SYNTAX_HINT}`,
      params: { code: "bad-duration" },
    });
}

/** Milliseconds of a duration that validation has already accepted. */
export function durationMs(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new Error(`internal: unvalidated duration ${JSON.stringify(text)}`);
  return ms;
}
