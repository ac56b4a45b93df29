import http from "node:http";
import https from "node:https";
/** The one way destinations talk HTTP; injected so tests and the preview never hit a network. */
export interface HttpRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type HttpClient = (request: HttpRequest) => Promise<HttpResponse>;

/** What is kept of a response body: the classifiers read error texts, not documents. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * POST with a hard deadline covering connect, headers and body, over keep-alive
 * connections of its own (one client per process or thread). A URL's `user:password@`
 * becomes Basic authentication, as curl and Go's net/http (Alertmanager's webhook client)
 * do, and a configured `Authorization` header wins. Redirects are not followed: a chat
 * platform's webhook never redirects, and following one would send the message where the
 * config does not say.
 *
 * node:http rather than fetch: at 1,000 notifications a second, fetch (undici's web
 * streams, a tee of every body) cost 0.5 ms of CPU per small request against 0.15 ms here,
 * in the thread that also reads and renders the outbox.
 *
 * A timeout rejects with an error named `TimeoutError`, and a network failure with its
 * code (`ECONNREFUSED`, ...), as fetch did; neither message holds the URL. Requests say
 * who sends them (`User-Agent`, unless the destination's headers set one): some platforms
 * refuse requests without one.
 */
export function createHttpClient(options: { readonly userAgent: string }): HttpClient {
  const agents = {
    "http:": new http.Agent({ keepAlive: true }),
    "https:": new https.Agent({ keepAlive: true }),
  };
  return (request) => {
    const target = withUserinfoAsBasicAuth(request.url, request.headers);
    let url: URL;
    try {
      url = new URL(target.url);
    } catch {
      // Not the URL itself in the message: it may hold a token.
      return Promise.reject(
        Object.assign(new Error("not a valid URL"), { code: "ERR_INVALID_URL" }),
      );
    }
    const protocol =
      url.protocol === "https:" ? "https:" : url.protocol === "http:" ? "http:" : undefined;
    if (!protocol)
      return Promise.reject(
        Object.assign(new Error(`unsupported URL scheme ${url.protocol}`), {
          code: "ERR_INVALID_PROTOCOL",
        }),
      );
    const body = Buffer.from(request.body, "utf8");
    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      const finish = (error: Error | undefined, response?: HttpResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else if (response) resolve(response);
      };
      const send = protocol === "https:" ? https.request : http.request;
      const req = send(
        url,
        {
          method: "POST",
          agent: agents[protocol],
          headers: {
            ...(hasHeader(target.headers, "user-agent") ? {} : { "user-agent": options.userAgent }),
            ...target.headers,
            "content-length": String(body.length),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let kept = 0;
          res.on("data", (chunk: Buffer) => {
            if (kept >= MAX_RESPONSE_BYTES) return;
            const room = MAX_RESPONSE_BYTES - kept;
            chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
            kept += Math.min(chunk.length, room);
          });
          res.on("end", () =>
            finish(undefined, {
              status: res.statusCode ?? 0,
              headers: headersOf(res.headers),
              body: Buffer.concat(chunks).toString("utf8"),
            }),
          );
          res.on("error", (error) => finish(error));
          res.on("aborted", () =>
            finish(
              Object.assign(new Error("connection closed mid-answer"), { code: "ECONNRESET" }),
            ),
          );
        },
      );
      const timer = setTimeout(() => {
        const error = new Error(`no answer within ${request.timeoutMs} ms`);
        error.name = "TimeoutError";
        finish(error);
        req.destroy(error);
      }, request.timeoutMs);
      req.on("error", (error) => finish(error));
      req.end(body);
    });
  };
}

/** What the receiver's requests say they come from, as Alertmanager's say "Alertmanager/0.25.0". */
export function userAgent(version: string): string {
  return `aiwatch-webhook-receiver/${version}`;
}

function hasHeader(headers: Readonly<Record<string, string>>, name: string): boolean {
  return Object.keys(headers).some((h) => h.toLowerCase() === name);
}

/** As fetch shows them: lower-case names, repeated headers joined with ", ". */
function headersOf(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

export function withUserinfoAsBasicAuth(
  url: string,
  headers: Readonly<Record<string, string>>,
): { url: string; headers: Readonly<Record<string, string>> } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url, headers };
  }
  if (!parsed.username && !parsed.password) return { url, headers };
  const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  parsed.username = "";
  parsed.password = "";
  const hasAuthorization = hasHeader(headers, "authorization");
  return {
    url: parsed.toString(),
    headers: hasAuthorization
      ? headers
      : { ...headers, authorization: `Basic ${Buffer.from(credentials).toString("base64")}` },
  };
}
