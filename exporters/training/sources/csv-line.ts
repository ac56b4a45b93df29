/**
 * Splits one CSV line as Python's csv module writes it (Lightning's and Keras's loggers
 * use it): fields separated by `separator`, optionally double-quoted with `""` escapes.
 * Metric files never hold newlines inside fields, so a line is a record.
 */
export function parseCsvLine(line: string, separator = ","): string[] {
  if (!line.includes('"')) return line.split(separator);
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (line.startsWith(separator, i)) {
      fields.push(field);
      field = "";
      i += separator.length - 1;
    } else field += c;
  }
  fields.push(field);
  return fields;
}

/**
 * A logged number as Python prints it: `0.5`, `1e-05`, `nan`, `inf`, `-inf`. Empty cells
 * (Lightning's sparse rows) and anything else are undefined.
 */
export function parsePythonNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  const lower = trimmed.toLowerCase();
  if (lower === "nan" || lower === "-nan") return NaN;
  if (lower === "inf" || lower === "+inf" || lower === "infinity") return Infinity;
  if (lower === "-inf" || lower === "-infinity") return -Infinity;
  const number = Number(trimmed);
  return Number.isNaN(number) ? undefined : number;
}
