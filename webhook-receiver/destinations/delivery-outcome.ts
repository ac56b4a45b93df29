/**
 * What one send attempt came to. Classification looks at the HTTP status *and* the
 * platform's in-band error code, because DingTalk, Feishu and WeCom answer 200 to requests
 * they rejected.
 * - retry: transient (5xx, timeouts, network errors, rate limits); `retryAfterMs` honours
 *   the platform's Retry-After.
 * - resize: the platform said the message is too large; render smaller and try again.
 * - permanent: retrying cannot help (bad credentials, deleted webhook, malformed message);
 *   goes to the dead-letter state, where it can be replayed after fixing the cause.
 */
export type DeliveryOutcome =
  | { readonly kind: "delivered" }
  | {
      readonly kind: "retry";
      readonly reason: string;
      readonly retryAfterMs?: number;
      readonly rateLimited?: boolean;
    }
  | { readonly kind: "resize"; readonly reason: string }
  | { readonly kind: "permanent"; readonly reason: string };

export const DELIVERED: DeliveryOutcome = { kind: "delivered" };

export function retry(reason: string, retryAfterMs?: number, rateLimited = false): DeliveryOutcome {
  return {
    kind: "retry",
    reason,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(rateLimited ? { rateLimited } : {}),
  };
}

export function permanent(reason: string): DeliveryOutcome {
  return { kind: "permanent", reason };
}

export function resize(reason: string): DeliveryOutcome {
  return { kind: "resize", reason };
}
