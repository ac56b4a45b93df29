import { SourceFailure } from "../tools/source-failure.js";

export interface RocmCard {
  /** "card3" → "3": the `gpu` label. */
  readonly gpu: string;
  readonly fields: Readonly<Record<string, string>>;
}

export interface RocmJson {
  readonly cards: readonly RocmCard[];
  readonly system: Readonly<Record<string, string>>;
  /** Keys whose value was not a string (rocm-smi prints strings only), by card. */
  readonly nonStringKeys: readonly string[];
}

/**
 * `rocm-smi --json`: `{"card0": {...}, "system": {...}}`, every value a string. Some
 * versions print warnings before the JSON, so parsing starts at the first line that
 * opens an object.
 */
export function parseRocmJson(text: string): RocmJson {
  const start = text.search(/^\s*\{/m);
  if (start < 0) throw new SourceFailure("parse_error", "rocm-smi printed no JSON object");
  let data: unknown;
  try {
    data = JSON.parse(text.slice(start));
  } catch (error) {
    throw new SourceFailure(
      "parse_error",
      `rocm-smi printed invalid JSON: ${(error as Error).message}`,
    );
  }
  if (typeof data !== "object" || data === null || Array.isArray(data))
    throw new SourceFailure("parse_error", "rocm-smi's JSON is not an object of cards");
  const cards: RocmCard[] = [];
  const nonStringKeys: string[] = [];
  let system: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) {
    const fields = stringFields(key, value, nonStringKeys);
    const card = /^card(\d+)$/.exec(key);
    if (card?.[1] !== undefined) cards.push({ gpu: card[1], fields });
    else if (key === "system") system = fields;
    else nonStringKeys.push(key);
  }
  cards.sort((a, b) => Number(a.gpu) - Number(b.gpu));
  return { cards, system, nonStringKeys };
}

function stringFields(owner: string, value: unknown, nonString: string[]): Record<string, string> {
  // A null prototype: a key "__proto__" in the tool's JSON is a field like any other.
  const fields = Object.create(null) as Record<string, string>;
  if (typeof value !== "object" || value === null) {
    nonString.push(owner);
    return fields;
  }
  for (const [key, field] of Object.entries(value)) {
    if (typeof field === "string") fields[key] = field;
    else nonString.push(`${owner}/${key}`);
  }
  return fields;
}
