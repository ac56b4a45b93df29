import { createHash } from "node:crypto";
import bcrypt from "bcryptjs";

/**
 * A bcrypt hash of "fakepassword": an unknown user is checked against it, so a wrong
 * username costs the same time as a wrong password and names cannot be probed (the
 * toolkit does the same).
 */
const UNKNOWN_USER_HASH = "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi";
const CACHE_SIZE = 100;

export type BasicAuthOutcome =
  | { readonly ok: true; readonly user: string }
  | { readonly ok: false; readonly reason: "missing_credentials" | "invalid_credentials" };

/**
 * Checks `Authorization: Basic` against `basic_auth_users`. bcrypt is slow on purpose
 * (~70 ms at cost 10), so, as the toolkit does, outcomes are cached by user, hash and
 * password (here by their SHA-256, so no password is kept in memory) and comparisons
 * run one at a time, which bounds the CPU an attacker can make the server spend.
 */
export class BasicAuthCheck {
  private readonly cache = new Map<string, boolean>();
  private queue: Promise<unknown> = Promise.resolve();

  async check(
    header: string | undefined,
    users: ReadonlyMap<string, string>,
  ): Promise<BasicAuthOutcome> {
    const credentials = parseBasicAuth(header);
    if (!credentials) return { ok: false, reason: "missing_credentials" };
    const known = users.get(credentials.user);
    const hash = known ?? UNKNOWN_USER_HASH;
    const key = createHash("sha256")
      .update(`${credentials.user}\u0000${hash}\u0000${credentials.password}`)
      .digest("base64");
    let matched = this.cache.get(key);
    if (matched === undefined) {
      const compare = this.queue.then(() => bcrypt.compare(credentials.password, hash));
      this.queue = compare.catch(() => undefined);
      matched = await compare.catch(() => false);
      this.remember(key, matched);
    }
    return matched && known !== undefined
      ? { ok: true, user: credentials.user }
      : { ok: false, reason: "invalid_credentials" };
  }

  private remember(key: string, matched: boolean): void {
    if (this.cache.size >= CACHE_SIZE) {
      // Drop a tenth, oldest first: entries are few, and a full cache must not grow.
      let drop = Math.max(1, Math.floor(this.cache.size / 10));
      for (const old of this.cache.keys()) {
        if (drop-- <= 0) break;
        this.cache.delete(old);
      }
    }
    this.cache.set(key, matched);
  }
}

/** Go's Request.BasicAuth: the scheme is case-insensitive, the password is all after the first colon. */
export function parseBasicAuth(
  header: string | undefined,
): { user: string; password: string } | undefined {
  if (!header || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
