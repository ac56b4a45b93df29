/**
 * Why a source could not be read. These are label values of
 * `aiwatch_exporter_collector_errors_total` and `aiwatch_gpu_source_errors_total`, so the
 * set stays small and fixed.
 */
export type FailureReason =
  | "not_found"
  | "permission_denied"
  | "timeout"
  | "exit_status"
  | "output_limit"
  | "parse_error"
  | "unknown_field";

export class SourceFailure extends Error {
  constructor(
    readonly reason: FailureReason,
    message: string,
    /** The tool's exit status, when it exited with one. */
    readonly exitCode?: number,
  ) {
    super(message);
    this.name = "SourceFailure";
  }
}

/** The failure reason of an error thrown while reading a source. */
export function failureReasonOf(error: unknown): FailureReason {
  if (error instanceof SourceFailure) return error.reason;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === "ENOENT") return "not_found";
  if (code === "EACCES" || code === "EPERM") return "permission_denied";
  return "parse_error";
}
