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

/** One GPU as one `--query-gpu` row describes it. */
export interface NvidiaDevice {
  /** `index`: the `gpu` label. */
  readonly gpu: string;
  /** `uuid` (`GPU-…`), or "" when the driver printed none. */
  readonly uuid: string;
  readonly fields: readonly DeviceField[];
}

export interface QueryDevices {
  readonly devices: readonly NvidiaDevice[];
  readonly notExported: readonly NotExported[];
  /** Rows that could not be read (wrong cell count, no index), with why. */
  readonly badRows: readonly string[];
}

export const NVIDIA_SOURCE = "nvidia-smi";

/** Reads every row of a `--query-gpu` answer; every cell is read, counted, or reported. */
export function readQueryDevices(
  csv: QueryCsv,
  specFor: (field: string) => FieldSpec | undefined,
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
    csv.columns.forEach((column, i) => {
      const cell = cells[i] ?? "";
      const spec = specFor(column.name);
      if (!spec) {
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
    devices.push({ gpu, uuid, fields });
  });
  return { devices, notExported, badRows };
}
