import { createHmac } from "node:crypto";
import { acceptedWithin, isRecord, json, startStandIn, textOf } from "./stand-in-server.js";
import type { StandIn } from "./stand-in-server.js";

/**
 * Feishu/Lark custom bot stand-in (https://open.feishu.cn/document/client-docs/bot-v3/add-
 * custom-bot). Answers 200 with `code`: 0 success, 19021 signature mismatch or timestamp
 * more than an hour off, 11232 frequency limited (5/s, 100/min), 9499 bad request, and
 * 9499 for a body over 20 KB (Feishu documents the limit, not its code). The signature is
 * base64(HMAC-SHA256(key = timestamp + "\n" + secret, data = "")).
 */
export async function startFeishuStandIn(options: {
  hook: string;
  secret?: string;
}): Promise<StandIn & { url: string }> {
  const path = `/open-apis/bot/v2/hook/${options.hook}`;
  const standIn = await startStandIn({
    ok: json(200, { code: 0, data: {}, msg: "success" }),
    failure: (kind) =>
      kind === "rate-limit" || kind === "in-band-error"
        ? json(200, {
            code: 11232,
            data: {},
            msg: "frequency limited psm[lark.oapi.app_platform_runtime]appID[1]",
          })
        : json(500, { code: 9499, msg: "internal error" }),
    check: (request, history) => {
      if (request.path !== path)
        return json(404, {
          code: 19001,
          msg: "param invalid: incoming webhook access token invalid",
        });
      if (Buffer.byteLength(request.body, "utf8") > 20 * 1024)
        return json(200, { code: 9499, msg: "request body too large" });
      const body = request.json;
      if (!isRecord(body)) return json(400, { code: 9499, msg: "Bad Request" });
      if (options.secret) {
        const timestamp = Number(body["timestamp"]);
        const expected = createHmac("sha256", `${timestamp}\n${options.secret}`)
          .update("")
          .digest("base64");
        if (
          !Number.isFinite(timestamp) ||
          Math.abs(Date.now() / 1000 - timestamp) > 3600 ||
          body["sign"] !== expected
        )
          return json(200, {
            code: 19021,
            data: {},
            msg: "sign match fail or timestamp is not within one hour from current time",
          });
      }
      const card = body["card"];
      if (body["msg_type"] !== "interactive" || !isRecord(card) || !Array.isArray(card["elements"]))
        return json(200, { code: 9499, msg: "Bad Request" });
      const now = Date.now();
      if (acceptedWithin(history, 1000, now) >= 5 || acceptedWithin(history, 60_000, now) >= 100)
        return json(200, { code: 11232, data: {}, msg: "frequency limited" });
      const texts = (card["elements"] as unknown[]).map((e) =>
        isRecord(e) ? textOf(e["content"]) : "",
      );
      const visible = texts.join("\n");
      return { accept: { request, text: visible, mentions: /<at\s/i.test(visible) } };
    },
  });
  return Object.assign(standIn, { url: `${standIn.base}${path}` });
}
