import { isRecord, startStandIn } from "./stand-in-server.js";
import type { PlatformAnswer, StandIn } from "./stand-in-server.js";

/**
 * Teams Workflows webhook stand-in ("When a Teams webhook request is received",
 * https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/
 * connectors-using): accepts a `message` whose attachments are Adaptive Cards (the only
 * format Workflows takes) and answers 202. Over 28 KB is 413. The in-band failure is the
 * retired connectors' "200 with an error text" answer, which bridges still have to handle.
 */
export async function startTeamsStandIn(
  path = "/workflows/abc/triggers/manual/paths/invoke",
): Promise<StandIn & { url: string }> {
  const text = (
    status: number,
    body: string,
    headers?: Record<string, string>,
  ): PlatformAnswer => ({ status, body, ...(headers ? { headers } : {}) });
  const standIn = await startStandIn({
    ok: text(202, ""),
    failure: (kind) =>
      kind === "rate-limit"
        ? text(429, JSON.stringify({ error: { code: "WorkflowTriggeredTooManyTimes" } }), {
            "retry-after": "1",
          })
        : kind === "in-band-error"
          ? text(
              200,
              "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0",
            )
          : text(502, JSON.stringify({ error: { code: "BadGateway" } })),
    check: (request) => {
      if (request.path !== path)
        return text(404, JSON.stringify({ error: { code: "TriggerNotFound" } }));
      if (Buffer.byteLength(request.body, "utf8") > 28 * 1024)
        return text(413, JSON.stringify({ error: { code: "MessageSizeExceeded" } }));
      const body = request.json;
      if (
        !isRecord(body) ||
        body["type"] !== "message" ||
        !Array.isArray(body["attachments"]) ||
        body["attachments"].length === 0
      )
        return text(400, JSON.stringify({ error: { code: "InvalidRequestContent" } }));
      const texts: string[] = [];
      let mentions = false;
      for (const attachment of body["attachments"] as unknown[]) {
        if (
          !isRecord(attachment) ||
          attachment["contentType"] !== "application/vnd.microsoft.card.adaptive"
        )
          return text(
            400,
            JSON.stringify({
              error: { code: "InvalidRequestContent", message: "only Adaptive Cards" },
            }),
          );
        const card = attachment["content"];
        if (
          !isRecord(card) ||
          card["type"] !== "AdaptiveCard" ||
          typeof card["version"] !== "string" ||
          !Array.isArray(card["body"])
        )
          return text(
            400,
            JSON.stringify({
              error: { code: "InvalidRequestContent", message: "not an AdaptiveCard" },
            }),
          );
        collectText(card["body"], texts);
        const msteams = card["msteams"];
        if (
          isRecord(msteams) &&
          Array.isArray(msteams["entities"]) &&
          msteams["entities"].length > 0
        )
          mentions = true;
      }
      return { accept: { request, text: texts.join("\n"), mentions } };
    },
  });
  return Object.assign(standIn, { url: `${standIn.base}${path}` });
}

function collectText(value: unknown, out: string[]): void {
  if (Array.isArray(value)) for (const v of value) collectText(v, out);
  else if (isRecord(value)) {
    if (value["type"] === "TextBlock" && typeof value["text"] === "string") out.push(value["text"]);
    if (typeof value["value"] === "string") out.push(value["value"]);
    for (const key of ["items", "columns", "facts", "body"]) collectText(value[key], out);
  }
}
