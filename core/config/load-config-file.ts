import { readFile } from "node:fs/promises";
import type { z } from "zod";
import type { LoadResult } from "../server/config-reloader.js";
import { parseSourceDocument } from "../yaml/source-document.js";
import type { SourceDocument } from "../yaml/source-document.js";
import { validateAgainstSchema } from "./schema-diagnostics.js";

/**
 * Reads a YAML config file and validates it against a schema. Every problem comes back
 * as a diagnostic with `file:line:col`; `refine` adds checks the schema cannot express
 * (secrets that do not resolve, cross-field rules) at their positions.
 */
export async function loadConfigFile<S extends z.ZodType, C = z.output<S>>(
  path: string,
  schema: S,
  refine: (
    value: z.output<S>,
    document: SourceDocument,
  ) => LoadResult<C> | Promise<LoadResult<C>> = (value) => ({
    ok: true,
    config: value as unknown as C,
  }),
): Promise<LoadResult<C>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    return {
      ok: false,
      diagnostics: [
        {
          code: "io-error",
          severity: "error",
          message: `cannot read config: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
          file: path,
        },
      ],
    };
  }
  const parsed = parseSourceDocument(path, text);
  if (!parsed.ok) return { ok: false, diagnostics: parsed.diagnostics };
  const validated = validateAgainstSchema(parsed.document, schema);
  if (!validated.ok) return { ok: false, diagnostics: validated.diagnostics };
  return refine(validated.value, parsed.document);
}
