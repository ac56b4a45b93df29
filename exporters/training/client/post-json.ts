/** What the exporter answered a batch, once retries are done. */
export type PostResult =
  | { readonly ok: true; readonly status: number; readonly body: unknown }
  | {
      readonly ok: false;
      readonly status: number | undefined;
      readonly body: unknown;
      readonly error: string;
    };

export interface PostOptions {
  readonly fetch: typeof fetch;
  readonly token: string;
  readonly maxRetries: number;
  readonly timeoutMs: number;
  /** Waits between attempts; injectable for tests. */
  readonly sleep: (ms: number) => Promise<void>;
}

/**
 * POSTs JSON to an aiwatch ingest endpoint. Network errors, timeouts, 429 and 5xx are
 * retried with exponential backoff (250 ms doubling, at most 10 s); any other answer is
 * final: a 400 means some records are invalid and resending them will not help (the
 * valid ones were applied already).
 */
export async function postJson(
  url: string,
  body: unknown,
  options: PostOptions,
): Promise<PostResult> {
  const payload = JSON.stringify(body);
  let last: PostResult = { ok: false, status: undefined, body: undefined, error: "not sent" };
  for (let attempt = 0; attempt <= options.maxRetries; attempt++) {
    if (attempt > 0) await options.sleep(Math.min(10_000, 250 * 2 ** (attempt - 1)));
    try {
      const response = await options.fetch(url, {
        method: "POST",
        body: payload,
        headers: { "content-type": "application/json", authorization: `Bearer ${options.token}` },
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      const text = await response.text();
      const parsed = parseOrText(text);
      if (response.ok) return { ok: true, status: response.status, body: parsed };
      last = {
        ok: false,
        status: response.status,
        body: parsed,
        error: (parsed as { error?: string } | null)?.error ?? `HTTP ${response.status}`,
      };
      if (response.status !== 429 && response.status < 500) return last;
    } catch (error) {
      last = { ok: false, status: undefined, body: undefined, error: (error as Error).message };
    }
  }
  return last;
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** JSON has no NaN or Infinity (JSON.stringify writes null): send the strings the API reads. */
export function jsonNumber(value: number): number | string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "Infinity";
  if (value === -Infinity) return "-Infinity";
  return value;
}
