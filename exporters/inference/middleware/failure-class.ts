/**
 * The default failure classes of a response status. Client mistakes (400, 404, 422) are
 * not failures of the model service: an error-ratio alert should not page because a
 * caller sent a bad prompt. Pass `classifyStatus` to count them too.
 */
export function classifyStatus(status: number): string | undefined {
  if (status === 408 || status === 504) return "timeout";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "server_error";
  return undefined;
}
