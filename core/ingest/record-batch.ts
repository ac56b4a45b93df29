import type { Request, Response } from "express";
import { defineHttpErrors, sendHttpError } from "../server/http-error.js";

/** One problem with one record of a batch: which record, which field, what was expected. */
export interface RecordError {
  readonly index: number;
  /** Dotted path inside the record (`metrics.loss`), or "" for the record itself. */
  readonly field: string;
  readonly message: string;
}

/** What validating one record gives: the typed value, or its problems (index added later). */
export type RecordCheck<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly errors: readonly Omit<RecordError, "index">[] };

/** The ways an ingest batch can be refused, shared by every endpoint taking record batches. */
export const BATCH_HTTP_ERRORS = defineHttpErrors({
  "invalid-batch": {
    status: 400,
    message: "request body must be a JSON array of records (or one record object)",
  },
  "too-many-records": { status: 413, message: "too many records in one request" },
  "invalid-records": { status: 400, message: "some records are invalid" },
});

/** At most this many errors are listed in a response; the count says how many there were. */
const MAX_LISTED_ERRORS = 100;

/** The records of a body: an array, or a single record object. */
export function recordsOf(
  body: unknown,
): { readonly ok: true; readonly records: readonly unknown[] } | { readonly ok: false } {
  if (Array.isArray(body)) return { ok: true, records: body };
  if (body !== null && typeof body === "object") return { ok: true, records: [body] };
  return { ok: false };
}

export interface BatchOutcome {
  readonly received: number;
  readonly accepted: number;
  readonly errors: readonly RecordError[];
  /** Endpoint-specific counts added to the answer (e.g. labels that matched no prediction). */
  readonly extra?: Readonly<Record<string, number>>;
}

/**
 * The partial-acceptance rule, in one place: valid records are applied even when others
 * in the same batch are not; the answer is 200 when every record was accepted, else 400
 * listing each bad record's index and field. A client must not resend a batch answered
 * 400 as a whole: its good records were applied already.
 */
export function sendBatchOutcome(res: Response, outcome: BatchOutcome): void {
  if (outcome.errors.length === 0) {
    res.json({
      status: "success",
      data: { received: outcome.received, accepted: outcome.accepted, ...outcome.extra },
    });
    return;
  }
  const rejected = outcome.received - outcome.accepted;
  sendHttpError(
    res,
    BATCH_HTTP_ERRORS["invalid-records"](
      `${rejected} of ${outcome.received} records rejected; the ${outcome.accepted} valid records were applied`,
      {
        received: outcome.received,
        accepted: outcome.accepted,
        rejected,
        ...outcome.extra,
        errors: outcome.errors.slice(0, MAX_LISTED_ERRORS),
        ...(outcome.errors.length > MAX_LISTED_ERRORS
          ? { errors_truncated: outcome.errors.length - MAX_LISTED_ERRORS }
          : {}),
      },
    ),
  );
}

/** What a batch endpoint needs besides its record logic. */
export interface RecordBatchContext {
  readonly maxRecordsPerRequest: number;
  readonly now: () => number;
  readonly health: {
    rejected(reason: string, count?: number): void;
    succeeded(durationMs: number): void;
  };
}

/**
 * Runs one ingest request: refuses a body that is not records (400) or too many records
 * (413, nothing applied); validates each record and applies the valid ones in order;
 * counts what was refused; answers by the partial-acceptance rule. `apply` returns false
 * (after pushing an error) when a valid record still cannot be taken.
 */
export function handleRecordBatch<T>(
  req: Request,
  res: Response,
  context: RecordBatchContext,
  validate: (value: unknown) => RecordCheck<T>,
  apply: (value: T, index: number, errors: RecordError[]) => boolean,
  extra?: () => Record<string, number>,
): void {
  const started = context.now();
  const batch = recordsOf(req.body);
  if (!batch.ok) {
    context.health.rejected("invalid_batch");
    sendHttpError(res, BATCH_HTTP_ERRORS["invalid-batch"]());
    return;
  }
  if (batch.records.length > context.maxRecordsPerRequest) {
    context.health.rejected("too_many_records", batch.records.length);
    sendHttpError(
      res,
      BATCH_HTTP_ERRORS["too-many-records"](
        `${batch.records.length} > ${context.maxRecordsPerRequest}; split the batch`,
      ),
    );
    return;
  }
  const errors: RecordError[] = [];
  let accepted = 0;
  let invalid = 0;
  batch.records.forEach((raw, index) => {
    const checked = validate(raw);
    if (!checked.ok) {
      invalid++;
      for (const error of checked.errors) errors.push({ index, ...error });
    } else if (apply(checked.value, index, errors)) accepted++;
  });
  if (invalid > 0) context.health.rejected("invalid_record", invalid);
  context.health.succeeded(context.now() - started);
  sendBatchOutcome(res, { received: batch.records.length, accepted, errors, extra: extra?.() });
}
