import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** 128 random bits, URL-safe: the unguessable part of an incident's link. */
export function newCapabilityToken(): string {
  return randomBytes(16).toString("base64url");
}

/**
 * Compares a presented token with the incident's in constant time: both are hashed first,
 * so neither their lengths nor a common prefix shows in the timing.
 */
export function tokenMatches(presented: string, expected: string): boolean {
  const a = createHash("sha256").update(presented).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}
