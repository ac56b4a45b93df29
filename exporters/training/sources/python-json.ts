/**
 * JSON as Python writes it. `json.dump` (Hugging Face's trainer_state.json, most JSON
 * lines loggers) writes NaN, Infinity and -Infinity as bare words, which JSON.parse
 * refuses; a diverged run is exactly when they appear, so they must parse.
 */
export function parsePythonJson(text: string): unknown {
  if (!text.includes("NaN") && !text.includes("Infinity")) return JSON.parse(text);
  let out = "";
  let from = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) {
      inString = true;
      continue;
    }
    const word =
      c === 78 /* N */
        ? "NaN"
        : c === 73 /* I */
          ? "Infinity"
          : c === 45 /* - */
            ? "-Infinity"
            : "";
    if (word && text.startsWith(word, i)) {
      out += text.slice(from, i) + `"${PLACEHOLDER_PREFIX}${word}"`;
      i += word.length - 1;
      from = i + 1;
    }
  }
  out += text.slice(from);
  return JSON.parse(out, (_key, value: unknown) =>
    typeof value === "string" && value.startsWith(PLACEHOLDER_PREFIX)
      ? NON_FINITE_WORDS[value.slice(PLACEHOLDER_PREFIX.length)]
      : value,
  );
}

const PLACEHOLDER_PREFIX = "__aiwatch_non_finite__:";
const NON_FINITE_WORDS: Readonly<Record<string, number>> = {
  NaN: NaN,
  Infinity: Infinity,
  "-Infinity": -Infinity,
};
