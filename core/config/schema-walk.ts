import type { z } from "zod";

interface Def {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly out?: z.ZodType;
  readonly shape?: Record<string, z.ZodType>;
  readonly element?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly discriminator?: string;
  readonly getter?: () => z.ZodType;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/**
 * The keys an object schema allows at `path` (following the document's own values through
 * arrays, records and discriminated unions), so an unknown key can suggest the right one.
 */
export function allowedKeysAt(
  schema: z.ZodType,
  value: unknown,
  path: readonly (string | number)[],
): string[] | undefined {
  let current: z.ZodType | undefined = schema;
  let currentValue = value;
  for (const part of path) {
    current = unwrap(current, currentValue);
    if (!current) return undefined;
    const def = defOf(current);
    const next: unknown = (currentValue as Record<string | number, unknown> | undefined)?.[part];
    if (def.type === "object") current = def.shape?.[String(part)];
    else if (def.type === "array") current = def.element;
    else if (def.type === "record") current = def.valueType;
    else return undefined;
    currentValue = next;
  }
  current = unwrap(current, currentValue);
  if (!current) return undefined;
  const def = defOf(current);
  return def.type === "object" && def.shape ? Object.keys(def.shape) : undefined;
}

function unwrap(schema: z.ZodType | undefined, value: unknown): z.ZodType | undefined {
  let current = schema;
  for (let depth = 0; current && depth < 20; depth++) {
    const def = defOf(current);
    if (
      def.type === "optional" ||
      def.type === "default" ||
      def.type === "nullable" ||
      def.type === "readonly"
    )
      current = def.innerType;
    else if (def.type === "pipe") current = def.in;
    else if (def.type === "lazy") current = def.getter?.();
    else if (def.type === "union" && def.options) current = pickUnionOption(def, value);
    else return current;
  }
  return current;
}

function pickUnionOption(def: Def, value: unknown): z.ZodType | undefined {
  const options = def.options ?? [];
  if (def.discriminator && value && typeof value === "object") {
    const tag = (value as Record<string, unknown>)[def.discriminator];
    for (const option of options) {
      const shape = defOf(option).shape;
      const literal = shape?.[def.discriminator];
      if (literal && (defOf(literal) as { values?: unknown[] }).values?.includes(tag))
        return option;
    }
    return undefined;
  }
  return options.find((o) => defOf(o).type === "object") ?? options[0];
}
