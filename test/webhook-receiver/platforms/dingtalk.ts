import { createHmac } from "node:crypto";
import { acceptedWithin, isRecord, json, startStandIn } from "./stand-in-server.js";
import type { StandIn } from "./stand-in-server.js";

/**
 * DingTalk custom robot stand-in (https://open.dingtalk.com/document/robots/custom-robot-
 * access). Always HTTP 200; the outcome is `errcode`: 0 ok, 300001 unknown access_token,
 * 310000 signature mismatch or timestamp more than an hour off, 130101 more than 20
 * messages in a minute, 460101 message over 20,000 bytes. Verifies the signature the way
 * DingTalk does: base64(HMAC-SHA256(secret, timestamp + "\n" + secret)).
 */
export async function startDingTalkStandIn(options: {
  token: string;
  secret?: string;
}): Promise<StandIn & { url: string }> {
  const standIn = await startStandIn({
    ok: json(200, { errcode: 0, errmsg: "ok" }),
    failure: (kind) =>
      kind === "rate-limit"
        ? json(200, { errcode: 130101, errmsg: "send too fast, exceed 20 times per minute" })
        : kind === "in-band-error"
          ? json(200, { errcode: -1, errmsg: "系统繁忙" })
          : json(502, { errcode: -1, errmsg: "system busy" }),
    check: (request, history) => {
      if (request.path !== "/robot/send" || request.query.get("access_token") !== options.token)
        return json(200, { errcode: 300001, errmsg: "token is not exist" });
      if (options.secret) {
        const timestamp = Number(request.query.get("timestamp"));
        const sign = request.query.get("sign") ?? "";
        const expected = createHmac("sha256", options.secret)
          .update(`${timestamp}\n${options.secret}`)
          .digest("base64");
        if (
          !Number.isFinite(timestamp) ||
          Math.abs(Date.now() - timestamp) > 3600_000 ||
          sign !== expected
        )
          return json(200, {
            errcode: 310000,
            errmsg: "sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]",
          });
      }
      const body = request.json;
      if (!isRecord(body) || body["msgtype"] !== "markdown" || !isRecord(body["markdown"]))
        return json(200, { errcode: 40035, errmsg: "缺少参数 json" });
      const markdown = body["markdown"];
      if (typeof markdown["title"] !== "string" || typeof markdown["text"] !== "string")
        return json(200, { errcode: 40035, errmsg: "缺少参数 markdown" });
      if (Buffer.byteLength(markdown["text"], "utf8") > 20_000)
        return json(200, { errcode: 460101, errmsg: "message too long, exceed 20000 bytes" });
      if (acceptedWithin(history, 60_000, Date.now()) >= 20)
        return json(200, { errcode: 130101, errmsg: "send too fast, exceed 20 times per minute" });
      const at = isRecord(body["at"]) ? body["at"] : {};
      const mentions =
        at["isAtAll"] === true || (Array.isArray(at["atMobiles"]) && at["atMobiles"].length > 0);
      return { accept: { request, text: markdown["text"], mentions } };
    },
  });
  return Object.assign(standIn, {
    url: `${standIn.base}/robot/send?access_token=${options.token}`,
  });
}
