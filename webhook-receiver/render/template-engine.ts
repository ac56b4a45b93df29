import Handlebars from "handlebars";
import { plural } from "./plural.js";
import type { RenderContext } from "./render-context.js";

export type CompiledTemplate = (context: RenderContext) => string;

export interface CompiledTemplates {
  readonly title: CompiledTemplate;
  readonly body: CompiledTemplate;
}

/**
 * One isolated handlebars environment for the receiver: helpers registered here do not
 * leak into other users of the library. Templates are compiled with `noEscape` because the
 * context is escaped for the destination's markup already (HTML escaping would be wrong
 * for markdown).
 */
const handlebars = Handlebars.create();
handlebars.registerHelper("eq", (a: unknown, b: unknown) => a === b);
handlebars.registerHelper("upper", (text: unknown) => String(text).toUpperCase());
/** `{{plural omitted "alert"}}`: "1 alert", "3 alerts". */
handlebars.registerHelper("plural", (count: unknown, noun: unknown) =>
  plural(Number(count), String(noun)),
);
handlebars.registerHelper("join", (items: unknown, separator: unknown) =>
  Array.isArray(items)
    ? items.map(String).join(typeof separator === "string" ? separator : ", ")
    : "",
);

export type CompileResult =
  | { readonly ok: true; readonly template: CompiledTemplate }
  | { readonly ok: false; readonly message: string };

/**
 * Compiles eagerly (handlebars compiles lazily by default), so a syntax error is found at
 * start or reload, not on the first alert.
 */
export function compileTemplate(source: string): CompileResult {
  try {
    const compiled = handlebars.compile<RenderContext>(source, {
      noEscape: true,
      strict: false,
      knownHelpersOnly: false,
    });
    // Force compilation now: handlebars only parses on first call.
    handlebars.precompile(source);
    return { ok: true, template: (context) => compiled(context) };
  } catch (error) {
    return { ok: false, message: firstLine((error as Error).message) };
  }
}

function firstLine(text: string): string {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !/^-*\^$/.test(line))
    .join(" ");
}
