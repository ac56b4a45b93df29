import type { FieldReading, NotExported } from "../tools/field-reading.js";
import type { FieldSpec } from "./field-spec.js";
import type { QueryCsv } from "./parse-query-csv.js";
import { readField } from "./read-field.js";

export interface DeviceField {
  readonly spec: FieldSpec;
  /** The name the field was queried (and printed) under. */
  readonly field: string;
  readonly reading: FieldReading;
}

/** A cell as printed, under its header as printed. */
export interface RawCell {
  readonly field: string;
  readonly header: string;
  readonly value: string;
}

/** One GPU as one `--query-gpu` row describes it. */
export interface NvidiaDevice {
  /** `index`: the `gpu` label. */
  readonly gpu: string;
  /** `uuid` (`GPU-…`), or "" when the driver printed none. */
  readonly uuid: string;
  readonly fields: readonly DeviceField[];
  /** Every cell of the row as printed, read or not (nvidia_gpu_exporter's names read them). */
  readonly cells: readonly RawCell[];
}

export interface QueryDevices {
  readonly devices: readonly NvidiaDevice[];
  readonly notExported: readonly NotExported[];
  /** Rows that could not be read (wrong cell count, no index), with why. */
  readonly badRows: readonly string[];
}

export const NVIDIA_SOURCE = "nvidia-smi";

/**
 * Reads every row of a `--query-gpu` answer; every cell is read, counted, or reported.
 * `extraField` names the fields asked for only to be passed on as printed (a field the
 * collector has no reading for, queried for nvidia_gpu_exporter's names): those are not
 * unrecognized.
 */
export function readQueryDevices(
  csv: QueryCsv,
  specFor: (field: string) => FieldSpec | undefined,
  extraField: (field: string) => boolean = () => false,
): QueryDevices {
  const devices: NvidiaDevice[] = [];
  const notExported: NotExported[] = [];
  const badRows = csv.malformedLines.map(
    (line) => `line ${line}: expected ${csv.columns.length} comma-separated values`,
  );
  csv.rows.forEach((cells, rowIndex) => {
    let gpu: string | undefined;
    let uuid = "";
    const fields: DeviceField[] = [];
    const raw: RawCell[] = [];
    csv.columns.forEach((column, i) => {
      const cell = cells[i] ?? "";
      raw.push({ field: column.name, header: column.header, value: cell });
      const spec = specFor(column.name);
      if (!spec) {
        if (!extraField(column.name))
          notExported.push({ source: NVIDIA_SOURCE, field: column.name, reason: "unrecognized" });
        return;
      }
      const reading = readField(spec, column.unit, cell);
      if (spec.target.kind === "identity" && reading.state === "text") {
        if (spec.target.label === "gpu") gpu = reading.text;
        else uuid = reading.text;
      }
      fields.push({ spec, field: column.name, reading });
    });
    if (gpu === undefined || !/^\d+$/.test(gpu)) {
      badRows.push(
        `row ${rowIndex + 1}: no GPU index (index printed as ${JSON.stringify(gpu ?? "")})`,
      );
      return;
    }
    devices.push({ gpu, uuid, fields, cells: raw });
  });
  return { devices, notExported, badRows };
}
