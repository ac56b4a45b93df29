import { hash } from "node:crypto";
import type { QueryConfig } from "pg";

/**
 * Distinct statement texts named at most: past this, a text goes unnamed (parsed and
 * planned on each use, as before), so neither this map nor each connection's set of
 * prepared statements grows without bound.
 */
const MAX_NAMED = 256;

/**
 * Turns a statement into a query that each connection prepares once, by a name derived
 * from its text, and then only binds and executes: the hot statements are fixed texts
 * run hundreds of times a second, and parsing and planning each one anew cost the
 * database's backends about 8 % of their CPU in the receiver-ack bench (71 % of a core
 * against 65 % at 1,000 webhooks/s). With `enabled` false
 * (PgBouncer in transaction mode before 1.21 cannot keep a statement prepared on one
 * server connection for the next transaction) every query goes unnamed.
 */
export class PreparedStatements {
  private readonly names = new Map<string, string>();

  constructor(readonly enabled: boolean) {}

  query(text: string, values: unknown[]): QueryConfig {
    const name = this.enabled ? this.nameOf(text) : undefined;
    return name === undefined ? { text, values } : { name, text, values };
  }

  private nameOf(text: string): string | undefined {
    const known = this.names.get(text);
    if (known !== undefined || this.names.size >= MAX_NAMED) return known;
    const name = `aiwatch_${hash("sha256", text, "base64url").slice(0, 22)}`;
    this.names.set(text, name);
    return name;
  }
}
