import { readFileSync } from "node:fs";
import { z } from "zod";

/**
 * Secrets in config files are references, never values: `{ env: NAME }` reads an
 * environment variable, `{ file: PATH }` a file (trailing newline trimmed), as
 * Kubernetes secrets are mounted. Resolution happens once, at load and on reload.
 */
export const secretRefSchema = z
  .union(
    [z.strictObject({ env: z.string().min(1) }), z.strictObject({ file: z.string().min(1) })],
    {
      // The diagnostic names the value's kind only: a secret written inline must not be
      // printed back by `check`, at start-up or in CI logs.
      error:
        "expected a secret reference, { env: VARIABLE } or { file: /path/to/secret } (secrets are not written in the config itself)",
    },
  )
  .describe("A secret: { env: VARIABLE } or { file: /path/to/secret }.");

export type SecretRef = z.output<typeof secretRefSchema>;

export interface SecretSource {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readFile?: (path: string) => string;
}

export type ResolvedSecret =
  { readonly ok: true; readonly value: string } | { readonly ok: false; readonly message: string };

export function resolveSecret(ref: SecretRef, source: SecretSource): ResolvedSecret {
  if ("env" in ref) {
    const value = source.env[ref.env];
    return value
      ? { ok: true, value }
      : { ok: false, message: `environment variable ${ref.env} is not set or empty` };
  }
  try {
    const value = (source.readFile ?? ((p: string) => readFileSync(p, "utf8")))(ref.file).replace(
      /\r?\n$/,
      "",
    );
    return value ? { ok: true, value } : { ok: false, message: `secret file ${ref.file} is empty` };
  } catch (error) {
    return {
      ok: false,
      message: `cannot read secret file ${ref.file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    };
  }
}
