import { isRecord, json, startStandIn, textOf } from "./stand-in-server.js";
import type { StandIn } from "./stand-in-server.js";

export interface GenericWebhookOptions {
  /** Bodies larger than this are refused with 413, as a gateway or proxy in front would. */
  readonly maxBodyBytes?: number;
}

/**
 * An in-house system / SMS gateway: requires its bearer token, accepts the JSON body (and,
 * when given a limit, refuses larger ones with 413 Content Too Large, RFC 9110 15.5.14).
 */
export async function startGenericWebhookStandIn(
  token: string,
  options: GenericWebhookOptions = {},
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
      const size = Buffer.byteLength(request.body, "utf8");
      if (options.maxBodyBytes !== undefined && size > options.maxBodyBytes)
        return json(413, { error: `body of ${size} bytes exceeds ${options.maxBodyBytes}` });
      const body = request.json;
      if (!isRecord(body) || body["version"] !== "1" || !Array.isArray(body["notifications"]))
        return json(400, { error: "bad body" });
      return { accept: { request, text: textOf(body["text"]), mentions: false } };
    },
  });
  return Object.assign(standIn, { url: `${standIn.base}/hooks/alerts` });
}
