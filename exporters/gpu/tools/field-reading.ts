import type { AbsentReason } from "./tool-value.js";

/** What became of one field of one device in one reading. */
export type FieldReading =
  /** A number in the metric's base unit; `printed` is the value in the tool's own unit. */
  | { readonly state: "value"; readonly value: number; readonly printed: number }
  | { readonly state: "text"; readonly text: string }
  | { readonly state: "absent"; readonly reason: AbsentReason }
  | { readonly state: "invalid"; readonly text: string; readonly expected: string };

/** Why a field was not exported; the `reason` label of `aiwatch_gpu_fields_not_exported`. */
export type NotExportedReason =
  AbsentReason | "invalid" | "ambiguous" | "unrecognized" | "not_requested" | "unmapped";

export interface NotExported {
  readonly source: string;
  readonly field: string;
  readonly reason: NotExportedReason;
}
