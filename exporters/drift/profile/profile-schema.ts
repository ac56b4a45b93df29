import { z } from "zod";
import { PROFILE_FORMAT, PROFILE_FORMAT_VERSION } from "./drift-profile.js";

const count = z.number().int().nonnegative();
const finite = z.number().refine(Number.isFinite, "expected a finite number");

const numericFeature = z.strictObject({
  name: z.string().min(1),
  type: z.literal("numeric"),
  count,
  nulls: count,
  min: finite,
  max: finite,
  mean: finite,
  std: finite.refine((v) => v >= 0, "expected a standard deviation >= 0"),
  edges: z.array(finite),
  counts: z.array(count),
  sums: z.array(finite),
  bins: z.array(finite),
});

const categoricalFeature = z.strictObject({
  name: z.string().min(1),
  type: z.enum(["categorical", "boolean"]),
  count,
  nulls: count,
  categories: z.array(z.tuple([z.string(), count])),
  other: count,
  truncated: z.boolean(),
});

/** The profile JSON as written by `aiwatch drift profile`; invariants are checked after. */
export const profileSchema = z.strictObject({
  format: z.literal(PROFILE_FORMAT),
  format_version: z.literal(PROFILE_FORMAT_VERSION),
  version: z.string().min(1),
  content_hash: z.string().regex(/^sha256:[0-9a-f]{64}$/, "expected sha256:<64 hex digits>"),
  created: z.string(),
  source: z.string(),
  rows: count,
  settings: z.strictObject({
    bins: z.number().int().min(2),
    resolution: z.number().int().min(2),
    max_categories: z.number().int().min(1),
  }),
  features: z.array(z.discriminatedUnion("type", [numericFeature, categoricalFeature])),
});
