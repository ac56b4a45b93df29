import type { Monitor } from "../../spec/model/monitor.js";
import type { Domain } from "./dashboard-plan.js";

const PREFIXES: readonly (readonly [RegExp, Exclude<Domain, "overview">])[] = [
  [/\baiwatch_training_/, "training"],
  [/\baiwatch_inference_/, "inference"],
  [/\baiwatch_data_/, "data"],
  [/\b(aiwatch_gpu_|DCGM_FI_)/, "gpu"],
];

/** The dashboard a monitor belongs on: by the metrics its signal reads, else by its layer. */
export function domainOf(monitor: Monitor): Exclude<Domain, "overview"> {
  for (const [pattern, domain] of PREFIXES) if (pattern.test(monitor.signal.expr)) return domain;
  switch (monitor.layer) {
    case "data":
      return "data";
    case "environment":
      return "gpu";
    case "model":
      return "training";
  }
}
