/** Why a scrape failed, as a short word for the errors_total `reason` label. */
export class ScrapeError extends Error {
  constructor(
    readonly reason: "timeout" | "connection_refused" | "http_status" | "too_large" | "fetch_error",
    message: string,
  ) {
    super(message);
  }
}

/**
 * GETs an upstream /metrics in the Prometheus text format, with a timeout and a size
 * cap (a misconfigured target must not exhaust the exporter's memory). The URL comes
 * from the exporter's config, never from a request.
 */
export async function scrapeText(
  url: string,
  options: { readonly timeoutMs: number; readonly maxBytes: number; readonly fetch: typeof fetch },
): Promise<string> {
  let response: Response;
  try {
    response = await options.fetch(url, {
      signal: AbortSignal.timeout(options.timeoutMs),
      headers: { accept: "text/plain;version=0.0.4;q=1,*/*;q=0.1" },
      redirect: "error",
    });
  } catch (error) {
    throw classify(error, url);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new ScrapeError("http_status", `${url}: HTTP ${response.status}`);
  }
  const reader: ReadableStreamDefaultReader<Uint8Array> | undefined = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > options.maxBytes) {
        await reader.cancel();
        throw new ScrapeError(
          "too_large",
          `${url}: response larger than ${options.maxBytes} bytes`,
        );
      }
      chunks.push(value);
    }
  } catch (error) {
    throw error instanceof ScrapeError ? error : classify(error, url);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function classify(error: unknown, url: string): ScrapeError {
  const name = (error as Error | null)?.name;
  if (name === "TimeoutError" || name === "AbortError")
    return new ScrapeError("timeout", `${url}: timed out`);
  const code = ((error as { cause?: { code?: string } } | null)?.cause ?? {}).code;
  if (code === "ECONNREFUSED")
    return new ScrapeError("connection_refused", `${url}: connection refused`);
  return new ScrapeError(
    "fetch_error",
    `${url}: ${(error as Error | null)?.message ?? String(error)}`,
  );
}
