import { z } from "zod";
import { specSchema } from "./spec-schema.js";

/** JSON Schema for editors (yaml-language-server), generated from the validating schema. */
export function specJsonSchema(): string {
  const schema = z.toJSONSchema(specSchema, { target: "draft-2020-12", io: "input" });
  allowPresetShorthand(schema);
  return (
    JSON.stringify(
      { ...schema, $id: "https://aiwatch.dev/schema/aiwatch-v1.json", title: "aiwatch spec v1" },
      null,
      2,
    ) + "\n"
  );
}

type JsonObject = Record<string, unknown>;

/**
 * A monitor that names a preset gets its required fields from it, and `preset` may be a
 * bare name: the editor schema says so (the validating schema sees presets expanded).
 */
function allowPresetShorthand(schema: JsonObject): void {
  const monitors = (schema["properties"] as JsonObject | undefined)?.["monitors"] as
    JsonObject | undefined;
  const item = monitors?.["items"] as JsonObject | undefined;
  const properties = item?.["properties"] as JsonObject | undefined;
  if (!item || !properties) return;
  const reference = properties["preset"] as JsonObject | undefined;
  if (reference) {
    properties["preset"] = {
      description: reference["description"],
      anyOf: [{ type: "string", minLength: 1 }, reference],
    };
  }
  const required = item["required"];
  if (Array.isArray(required)) {
    delete item["required"];
    item["anyOf"] = [{ required }, { required: ["preset"] }];
  }
}
