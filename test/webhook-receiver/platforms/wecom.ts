import { acceptedWithin, isRecord, json, startStandIn } from "./stand-in-server.js";
import type { StandIn } from "./stand-in-server.js";

/**
 * WeCom group robot stand-in (https://developer.work.weixin.qq.com/document/path/91770).
 * Answers 200 with `errcode`: 0 ok, 93000 invalid webhook key, 45009 more than 20
 * messages a minute, 40058 markdown content over 4,096 bytes.
 */
export async function startWeComStandIn(options: {
  key: string;
}): Promise<StandIn & { url: string }> {
  const standIn = await startStandIn({
    ok: json(200, { errcode: 0, errmsg: "ok" }),
    failure: (kind) =>
      kind === "rate-limit"
        ? json(200, { errcode: 45009, errmsg: "api freq out of limit" })
        : kind === "in-band-error"
          ? json(200, { errcode: -1, errmsg: "system busy" })
          : json(503, { errcode: -1, errmsg: "system busy" }),
    check: (request, history) => {
      if (request.path !== "/cgi-bin/webhook/send" || request.query.get("key") !== options.key)
        return json(200, { errcode: 93000, errmsg: "invalid webhook url" });
      const body = request.json;
      if (!isRecord(body) || body["msgtype"] !== "markdown" || !isRecord(body["markdown"]))
        return json(200, { errcode: 40008, errmsg: "invalid message type" });
      const content = body["markdown"]["content"];
      if (typeof content !== "string" || content === "")
        return json(200, { errcode: 44004, errmsg: "empty content" });
      if (Buffer.byteLength(content, "utf8") > 4096)
        return json(200, { errcode: 40058, errmsg: "markdown.content exceed max length 4096" });
      if (acceptedWithin(history, 60_000, Date.now()) >= 20)
        return json(200, { errcode: 45009, errmsg: "api freq out of limit" });
      // <@userid> (and <@all>) in markdown content notifies members.
      return { accept: { request, text: content, mentions: /<@/.test(content) } };
    },
  });
  return Object.assign(standIn, { url: `${standIn.base}/cgi-bin/webhook/send?key=${options.key}` });
}
