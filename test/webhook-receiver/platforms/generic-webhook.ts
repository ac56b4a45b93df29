import { isRecord, json, startStandIn, textOf } from "./stand-in-server.js";
import type { StandIn } from "./stand-in-server.js";

/** An in-house system / SMS gateway: requires its bearer token, accepts the JSON body. */
export async function startGenericWebhookStandIn(
  token: string,
): Promise<StandIn & { url: string }> {
  const standIn = await startStandIn({
    ok: json(200, { accepted: true }),
    failure: (kind) =>
      kind === "rate-limit"
        ? json(429, { error: "slow down" }, { "retry-after": "1" })
        : json(500, { error: "boom" }),
    check: (request) => {
      if (request.headers.authorization !== `Bearer ${token}`)
        return json(401, { error: "unauthorized" });
      const body = request.json;
      if (!isRecord(body) || body["version"] !== "1" || !Array.isArray(body["notifications"]))
        return json(400, { error: "bad body" });
      return { accept: { request, text: textOf(body["text"]), mentions: false } };
    },
  });
  return Object.assign(standIn, { url: `${standIn.base}/hooks/alerts` });
}
