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

/**
 * POST with a hard deadline covering connect, headers and body. A URL's `user:password@`
 * becomes Basic authentication, as curl and Go's net/http (Alertmanager's webhook client) do: fetch
 * refuses URLs with credentials, and a configured `Authorization` header wins.
 */
export const fetchHttpClient: HttpClient = async (request) => {
  const target = withUserinfoAsBasicAuth(request.url, request.headers);
  const response = await fetch(target.url, {
    method: "POST",
    headers: target.headers,
    body: request.body,
    signal: AbortSignal.timeout(request.timeoutMs),
    redirect: "manual",
  });
  const body = await response.text();
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => (headers[key] = value));
  return { status: response.status, headers, body };
};

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
  const hasAuthorization = Object.keys(headers).some((h) => h.toLowerCase() === "authorization");
  return {
    url: parsed.toString(),
    headers: hasAuthorization
      ? headers
      : { ...headers, authorization: `Basic ${Buffer.from(credentials).toString("base64")}` },
  };
}
