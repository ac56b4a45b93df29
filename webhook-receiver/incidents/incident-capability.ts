import type { IncomingMessage } from "node:http";
import { tokenMatches } from "./capability-token.js";
import { INCIDENTS_PATH } from "./incident-link.js";
import type { IncidentRow } from "./incident-store.js";

/** What opening an incident by its key reads. */
export interface IncidentLookup {
  get(id: number): Promise<IncidentRow | undefined>;
}

const ID = /^[1-9][0-9]{0,14}$/;
const MAX_KEY_LENGTH = 128;
/** An incident link as messages carry it: the page, or its chart. */
const LINK_PATH = new RegExp(`^${INCIDENTS_PATH}/([^/]+)(?:/chart\\.png)?$`);

/**
 * The incident a link opens: its number names an incident and its key (exactly one) is
 * that incident's token, compared in constant time. Otherwise undefined.
 */
export async function openedByKey(
  store: IncidentLookup,
  id: unknown,
  key: unknown,
): Promise<IncidentRow | undefined> {
  const number = incidentNumber(id);
  if (number === undefined) return undefined;
  if (typeof key !== "string" || key === "" || key.length > MAX_KEY_LENGTH) return undefined;
  const incident = await store.get(number);
  return incident && tokenMatches(key, incident.token) ? incident : undefined;
}

/** The incident number a path names, when it is one (digits, no sign, no leading zero). */
export function incidentNumber(id: unknown): number | undefined {
  return typeof id === "string" && ID.test(id) ? Number(id) : undefined;
}

/**
 * Whether a request is an incident link with its valid key. The key is a capability of its
 * own: it opens that one page and its chart, nothing else, and it must work where no
 * credentials can go with it — Slack, Discord and Teams fetch the chart from the link
 * alone, and a person opens the page from chat. So `--web.config.file`'s basic auth lets
 * such a request through (a wrong or missing key still needs the credentials).
 */
export async function carriesIncidentKey(
  store: IncidentLookup,
  req: IncomingMessage,
): Promise<boolean> {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  let url: URL;
  try {
    url = new URL(req.url ?? "", "http://receiver");
  } catch {
    return false;
  }
  const match = LINK_PATH.exec(url.pathname);
  const keys = url.searchParams.getAll("key");
  if (match === null || keys.length !== 1) return false;
  return (await openedByKey(store, match[1], keys[0])) !== undefined;
}
