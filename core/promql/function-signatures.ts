/**
 * Argument and result types of PromQL functions as of Prometheus 2.42 (the compatibility
 * floor), from promql/parser/functions.go. `v` instant vector, `m` range vector,
 * `s` scalar, `str` string; a trailing `?` marks an optional argument, `*` a repeated one.
 */
export type ValueType = "vector" | "matrix" | "scalar" | "string";

export interface FunctionSignature {
  readonly args: readonly string[];
  readonly returns: ValueType;
}

const vectorFn = (...args: string[]): FunctionSignature => ({ args, returns: "vector" });

const RANGE = [
  "avg_over_time",
  "count_over_time",
  "last_over_time",
  "max_over_time",
  "min_over_time",
  "present_over_time",
  "stddev_over_time",
  "stdvar_over_time",
  "sum_over_time",
  "absent_over_time",
  "changes",
  "resets",
  "delta",
  "deriv",
  "idelta",
  "increase",
  "irate",
  "rate",
] as const;

const MATH = [
  "abs",
  "acos",
  "acosh",
  "asin",
  "asinh",
  "atan",
  "atanh",
  "ceil",
  "cos",
  "cosh",
  "deg",
  "exp",
  "floor",
  "histogram_count",
  "histogram_sum",
  "ln",
  "log10",
  "log2",
  "rad",
  "sgn",
  "sin",
  "sinh",
  "sort",
  "sort_desc",
  "sqrt",
  "tan",
  "tanh",
  "timestamp",
  "absent",
] as const;

const CALENDAR = [
  "day_of_month",
  "day_of_week",
  "day_of_year",
  "days_in_month",
  "hour",
  "minute",
  "month",
  "year",
] as const;

export const PROMQL_FUNCTIONS: Readonly<Record<string, FunctionSignature>> = {
  ...Object.fromEntries(RANGE.map((name) => [name, vectorFn("m")])),
  ...Object.fromEntries(MATH.map((name) => [name, vectorFn("v")])),
  ...Object.fromEntries(CALENDAR.map((name) => [name, vectorFn("v?")])),
  clamp: vectorFn("v", "s", "s"),
  clamp_max: vectorFn("v", "s"),
  clamp_min: vectorFn("v", "s"),
  histogram_fraction: vectorFn("s", "s", "v"),
  histogram_quantile: vectorFn("s", "v"),
  holt_winters: vectorFn("m", "s", "s"),
  label_join: vectorFn("v", "str", "str", "str*"),
  label_replace: vectorFn("v", "str", "str", "str", "str"),
  predict_linear: vectorFn("m", "s"),
  quantile_over_time: vectorFn("s", "m"),
  round: vectorFn("v", "s?"),
  scalar: { args: ["v"], returns: "scalar" },
  time: { args: [], returns: "scalar" },
  pi: { args: [], returns: "scalar" },
  vector: vectorFn("s"),
};
