import { z } from "zod";
import { specSchema } from "./spec-schema.js";

/** JSON Schema for editors (yaml-language-server), generated from the validating schema. */
export function specJsonSchema(): string {
  const schema = z.toJSONSchema(specSchema, { target: "draft-2020-12", io: "input" });
  return (
    JSON.stringify(
      { ...schema, $id: "https://aiwatch.dev/schema/aiwatch-v1.json", title: "aiwatch spec v1" },
      null,
      2,
    ) + "\n"
  );
}
